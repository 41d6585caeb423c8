import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { Metric } from '@geokv/observability';
import type { ShardStatement } from './shard-statements';

/** Runs the shard's named prepared statements (shard-statements.ts) and times each one. */
@Injectable()
export class ShardDatabase {
  private readonly pool: Pool;

  constructor(
    db: DataSource,
    @InjectMetric(Metric.dbQueryDuration) private readonly queryDuration: Histogram<string>,
  ) {
    // TypeORM's own pool, used directly: named prepared statements are parsed and planned once per
    // connection, which TypeORM's query API cannot ask for.
    this.pool = (db.driver as unknown as { master: Pool }).master;
  }

  async run<T extends QueryResultRow>(statement: ShardStatement, params: unknown[]): Promise<T[]> {
    const end = this.queryDuration.startTimer({ query: statement.name });
    try {
      const result = await this.pool.query<T>({ name: statement.name, text: statement.text, values: params });
      return result.rows;
    } finally {
      end();
    }
  }
}
