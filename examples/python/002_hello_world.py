# Seed 002 "Python Async IO 101": three hello_world() coroutines gathered.
import asyncio


async def hello_world():
    await asyncio.sleep(1)
    print("Hello,")
    await asyncio.sleep(2)
    print("World!")


async def main():
    await asyncio.gather(hello_world(), hello_world(), hello_world())

if __name__ == "__main__":
    asyncio.run(main())
