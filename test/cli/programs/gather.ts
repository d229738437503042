// The gather lesson in TypeScript: three async functions sleeping 0.2, 0.3 and 0.1 s at once.
export {}; // a module, so its names do not clash with other files in the type-check
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function func1(): Promise<string> {
  console.log('Function 1 started..');
  await sleep(200);
  console.log('Function 1 Ended');
  return 'one';
}

async function func2(): Promise<string> {
  console.log('Function 2 started..');
  await sleep(300);
  console.log('Function 2 Ended');
  return 'two';
}

async function func3(): Promise<string> {
  console.log('Function 3 started..');
  await sleep(100);
  console.log('Function 3 Ended');
  return 'three';
}

async function main(): Promise<void> {
  const results: string[] = await Promise.all([func1(), func2(), func3()]);
  console.log('Main Ended..', results.join(' '));
  process.exitCode = Number(process.argv[2] ?? 0);
}

main();
