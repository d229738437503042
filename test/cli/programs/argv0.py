# What `python FILE` gives a program about itself: argv[0] as typed, __file__ absolute.
import asyncio
import os
import sys


async def main():
    print(sys.argv[0])
    print(__file__ == os.path.abspath(sys.argv[0]))

asyncio.run(main())
