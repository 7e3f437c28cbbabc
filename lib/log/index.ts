/** Structured JSON logs, one object per line, so CloudWatch Logs Insights can query fields. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

type Level = 'INFO' | 'WARN' | 'ERROR';

export function createLogger(
  base: LogFields,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const emit = (level: Level, message: string, fields?: LogFields): void => {
    write(JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...fields }, errorReplacer));
  };
  return {
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const { reason, retriable } = value as Error & { reason?: unknown; retriable?: unknown };
    return { name: value.name, message: value.message, reason, retriable };
  }
  return value;
}
