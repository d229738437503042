# The seed tutorials' lesson: gather() of sleeps of 2, 3 and 1 s takes 3 s, not 6.
# Scaled down 10x so the end-to-end test stays quick.
import asyncio


async def func1():
    print("func 1 started")
    await asyncio.sleep(0.2)
    print("func 1 ended")


async def func2():
    print("func 2 started")
    await asyncio.sleep(0.3)
    print("func 2 ended")


async def func3():
    print("func 3 started")
    await asyncio.sleep(0.1)
    print("func 3 ended")


async def main():
    await asyncio.gather(func1(), func2(), func3())
    print("Main ended")


asyncio.run(main())
