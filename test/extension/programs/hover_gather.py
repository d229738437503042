# Traced by test/extension/hover.test.ts: three workers sleep side by side under gather,
# one of them in a task whose name is Markdown/HTML (it must show as text in the hover).
import asyncio


async def worker(name, delay):
    print(f"{name} start")
    await asyncio.sleep(delay)
    print(f"{name} done")
    return name


async def main():
    # loop.create_task passes the name to the Task itself (asyncio.create_task renames it afterwards).
    odd = asyncio.get_running_loop().create_task(worker("odd", 0.15), name="[click](command:workbench.action.quit) <b>bold</b>")
    results = await asyncio.gather(worker("a", 0.2), worker("b", 0.3), worker("c", 0.1))
    await odd
    print(results)


asyncio.run(main())
