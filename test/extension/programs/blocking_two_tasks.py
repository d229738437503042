import asyncio, time


async def blocker():
    await asyncio.sleep(0.05)
    time.sleep(0.15)   # blocks the loop, once in each task
    await asyncio.sleep(0.05)


async def main():
    await asyncio.gather(blocker(), blocker())


asyncio.run(main())
