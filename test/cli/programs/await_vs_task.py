# The seed's two versions: `await fn2()` runs fn2 inside the same task,
# `create_task(fn2())` makes a second task. argv[1] picks the version.
import asyncio
import sys


async def fn2():
    await asyncio.sleep(0.05)
    print("two")


async def fn():
    print("one")
    if sys.argv[1] == "task":
        task = asyncio.create_task(fn2())
        await asyncio.sleep(0.1)
    else:
        await fn2()
    print("three")


asyncio.run(fn())
