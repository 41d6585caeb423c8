import { Global, Module, type DynamicModule } from '@nestjs/common';

/** Injection token of the app's frozen, validated config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Makes the config loaded in main.ts injectable everywhere in the app. Loading happens before Nest boots,
 * so a bad variable stops the process with a clear message instead of a half-started app.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot<T extends object>(config: Readonly<T>): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
