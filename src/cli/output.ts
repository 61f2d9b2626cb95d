/** Where a CLI command writes: a stream, or the log-safe writer main() puts in front of one. */
export interface Output {
  write(text: string): unknown;
}
