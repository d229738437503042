# Prints its arguments, one per line, after one await: the output-channel command line test
# pastes the shown command into a shell and checks the same arguments come back.
import asyncio
import sys


async def main():
    await asyncio.sleep(0.01)
    for arg in sys.argv[1:]:
        print(f"arg: {arg}")


asyncio.run(main())
