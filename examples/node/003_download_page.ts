// Seed 003 "Asynchronous Programming in Python": download_page calls started for each url, then awaited together.
import { setTimeout as sleep } from 'node:timers/promises';

async function download_page(url: string): Promise<void> {
  console.log(`Downloading ${url}`);
  await sleep(200); // Simulate a download delay
  console.log(`Downloaded ${url}`);
}

async function main(): Promise<void> {
  const urls: string[] = ['lol.com', 'sike.org'];

  // Start downloading each page concurrently
  const tasks: Promise<void>[] = urls.map((url) => download_page(url));

  // Wait for all of them to complete
  await Promise.all(tasks);
}

main();
