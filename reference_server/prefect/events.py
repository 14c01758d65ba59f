"""A sink for the client's event stream (``ws /api/events/in``).

The Prefect client opens this websocket whenever it emits events (``Block.load`` does) and
logs connection errors when a server refuses it. Blocks conformance does not cover events, so
the sink completes the handshake the client expects and discards what it receives.
"""

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from .api import BASE_PATH

POLICY_VIOLATION = 1008

router = APIRouter(prefix=BASE_PATH)


@router.websocket("/events/in")
async def events_in(websocket: WebSocket) -> None:
    offered = {
        protocol.strip()
        for header in websocket.headers.getlist("sec-websocket-protocol")
        for protocol in header.split(",")
    }
    try:
        if "prefect" not in offered:
            await websocket.accept()
        else:
            await websocket.accept(subprotocol="prefect")
            first = await websocket.receive_json()
            if not isinstance(first, dict) or first.get("type") != "auth":
                await websocket.close(POLICY_VIOLATION, reason="Expected 'auth' message")
                return
            await websocket.send_json({"type": "auth_success"})
        async for _ in websocket.iter_text():
            pass
    except WebSocketDisconnect:
        pass
