"""A server that answers every HTTP/1.1 request at once with ``200 {}`` on a kept-alive
connection, for measuring the load generator's own ceiling.

    python benchmarks/null_server.py PORT

It does no work per request beyond parsing it (httptools, the parser uvicorn uses) and writing
a fixed answer (uvloop), so the rate the load generator reaches against it bounds, from below,
what the load generator can drive: a target measured well under that rate is not measured
through a bottleneck of the load generator.
"""

from __future__ import annotations

import asyncio
import sys

import httptools
import uvloop

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


class NullProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.parser = httptools.HttpRequestParser(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_message_complete(self) -> None:
        self.transport.write(ANSWER)


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(NullProtocol, "127.0.0.1", port, backlog=256)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))
