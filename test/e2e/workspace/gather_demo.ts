// The same lesson in TypeScript: Promise.all of waits of 200, 300 and 100 ms takes 300 ms.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function fetchUser(id: number): Promise<string> {
  await sleep(200);
  return `user ${id}`;
}

async function fetchOrders(id: number): Promise<number> {
  await sleep(300);
  return id * 2;
}

async function fetchPrefs(): Promise<string[]> {
  await sleep(100);
  return ['dark'];
}

async function main(): Promise<void> {
  const [user, orders, prefs] = await Promise.all([fetchUser(7), fetchOrders(7), fetchPrefs()]);
  console.log(user, orders, prefs.length);
}

main();
