# Seed 001 "asyncio in Python", program 1: one coroutine that prints and sleeps.
import asyncio


async def fn():
    print('This is ')
    await asyncio.sleep(1)
    print('asynchronous programming')
    await asyncio.sleep(1)
    print('and not multi-threading')

asyncio.run(fn())
