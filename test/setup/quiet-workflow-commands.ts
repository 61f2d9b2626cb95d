/**
 * Tests that run the real @actions/core in-process (getIDToken against the emulator) make it
 * print `::add-mask::<token>` and `::debug::` workflow commands. On a runner the runner consumes
 * them; in a test log they would only print (emulator) tokens. Drop those two commands from this
 * worker's stdout; everything else passes through. Child processes (the built action) are
 * captured by their tests and are unaffected.
 */
const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
  if (text !== undefined && /^::(add-mask|debug)::/m.test(text)) {
    const kept = text.split('\n').filter((line) => !/^::(add-mask|debug)::/.test(line)).join('\n');
    if (kept.trim() === '') return true;
    return write(kept, ...rest);
  }
  return write(chunk, ...rest);
}) as typeof process.stdout.write;
