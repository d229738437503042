# Reads one line from stdin (the CLI passes its stdin through).
import asyncio
import sys


async def main():
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    print("got:", line.strip())


asyncio.run(main())
