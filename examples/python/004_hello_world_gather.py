# Seed 004 "Asynchronous Programming with Asyncio": say_hello() and say_world() gathered, ~1 s in total, not 2.
import asyncio


async def say_hello():
    await asyncio.sleep(1)
    print("Hello")


async def say_world():
    await asyncio.sleep(1)
    print("World")

# Run the event loop
loop = asyncio.get_event_loop()
loop.run_until_complete(asyncio.gather(say_hello(), say_world()))
