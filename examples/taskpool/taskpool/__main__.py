import asyncio

from .pool import main

asyncio.run(main())
