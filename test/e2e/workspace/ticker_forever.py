# Never ends on its own: a heartbeat task and a worker that keep handing the loop to each other.
# The end-to-end test stops it with "Await Lens: Stop Tracing".
import asyncio


async def heartbeat():
    beats = 0
    while True:
        beats += 1
        print("beat", beats, flush=True)
        await asyncio.sleep(0.05)


async def worker():
    while True:
        await asyncio.sleep(0.08)


async def main():
    await asyncio.gather(heartbeat(), worker())


asyncio.run(main())
