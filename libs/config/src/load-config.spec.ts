import { Expose } from 'class-transformer';
import { IsInt, Matches, Min } from 'class-validator';
import { ConfigError, loadConfig } from './load-config';

class ExampleConfig {
  @Expose()
  @IsInt()
  @Min(1)
  PORT: number = 8080;

  @Expose()
  @Matches(/^n[0-9]+$/)
  NODE_ID!: string;
}

describe('loadConfig', () => {
  it('applies defaults, converts numbers and freezes the result', () => {
    const config = loadConfig(ExampleConfig, { NODE_ID: 'n1' });
    expect(config).toMatchObject({ PORT: 8080, NODE_ID: 'n1' });
    expect(loadConfig(ExampleConfig, { NODE_ID: 'n1', PORT: '9000' }).PORT).toBe(9000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable and what it got', () => {
    try {
      loadConfig(ExampleConfig, { PORT: 'abc' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('"abc"');
      expect(message).toContain('NODE_ID');
      expect(message).toContain('it is not set');
    }
  });
});
