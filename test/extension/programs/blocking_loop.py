# Traced by test/extension/warnings.test.ts: a task that blocks the loop three times from one
# line, a ticker that suffers for it, and a coroutine that is never awaited.
import asyncio
import time


async def save():
    await asyncio.sleep(0)


async def hog():
    for _ in range(3):
        time.sleep(0.15)
        await asyncio.sleep(0)


async def ticker():
    for _ in range(5):
        await asyncio.sleep(0.02)


async def main():
    save()
    await asyncio.gather(hog(), ticker())


asyncio.run(main())
