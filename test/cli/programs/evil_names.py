# Task names and errors with terminal control sequences: the summary must not pass them through.
import asyncio


async def work():
    await asyncio.sleep(0.01)
    raise ValueError("bad\x1b[2J value")


async def main():
    task = asyncio.create_task(work(), name="evil\x1b[31mred\x07")
    try:
        await task
    except ValueError:
        pass


asyncio.run(main())
