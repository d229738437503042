# A coroutine that blocks the loop with time.sleep: the tracer names the line.
import asyncio
import time


async def worker():
    await asyncio.sleep(0.01)
    time.sleep(0.15)
    await asyncio.sleep(0.01)


asyncio.run(worker())
