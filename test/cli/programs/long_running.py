# Runs until stopped; starts a child process that would outlive it unless the whole
# process tree is ended. argv[1]: file to write the child's pid to.
import asyncio
import subprocess
import sys


async def tick():
    n = 0
    while True:
        await asyncio.sleep(0.02)
        n += 1
        print("tick", n, flush=True)


async def main():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(sys.argv[1], "w") as f:
        f.write(str(child.pid))
    await asyncio.gather(tick(), tick())


asyncio.run(main())
