# Writes to both streams, echoes its arguments, then exits with a chosen code.
import asyncio
import sys


async def main():
    await asyncio.sleep(0.01)
    print("args:", " ".join(sys.argv[1:]))
    print("to stderr", file=sys.stderr)
    return int(sys.argv[1]) if len(sys.argv) > 1 else 0


sys.exit(asyncio.run(main()))
