# A producer puts items on a queue with a pause before each; a consumer waits on get().
# The consumer's waits are resumed by the producer's put(), not by a timer.
import asyncio


async def producer(queue, n):
    for i in range(n):
        await asyncio.sleep(0.05)
        await queue.put(i)
    await queue.put(None)


async def consumer(queue):
    total = 0
    while True:
        item = await queue.get()
        if item is None:
            return total
        total += item


async def main():
    queue = asyncio.Queue()
    consume = asyncio.create_task(consumer(queue))
    produce = asyncio.create_task(producer(queue, 4))
    await produce
    print("total", await consume)


asyncio.run(main())
