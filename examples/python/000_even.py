# Seed 000 "Async IO in Python": even() counts down and prints even numbers; two tasks awaited with asyncio.wait.
import time
import asyncio


async def even(x):
    for i in range(x - 1, 0, -1):
        if i % 2 == 0:
            print(i)
        await asyncio.sleep(0.01)
    return None


async def main():
    await asyncio.wait([
        asyncio.ensure_future(even(10)),
        asyncio.ensure_future(even(7)),
    ])


start = time.time()
func = asyncio.get_event_loop()
func.run_until_complete(main())
func.close()
print("took %.2f s" % (time.time() - start))
