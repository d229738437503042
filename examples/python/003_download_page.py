# Seed 003 "Asynchronous Programming in Python": download_page tasks created with create_task, then gathered.
import asyncio


async def download_page(url):
    print(f"Downloading {url}")
    await asyncio.sleep(0.2)  # Simulate a download delay
    print(f"Downloaded {url}")


async def main():
    urls = ["lol.com", "sike.org"]

    # Create tasks for downloading each page concurrently
    tasks = [asyncio.create_task(download_page(url)) for url in urls]

    # Wait for all tasks to complete
    await asyncio.gather(*tasks)

if __name__ == "__main__":
    asyncio.run(main())
