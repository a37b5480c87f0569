"""What a page sends over Streamlit's websocket, element by element (SYNTHETIC data sets).

    .venv/bin/python -m bench.wire [--size 10k] [--page overview] [--changes 2]

Starts the app on the synthetic set of ``--size`` events (``embedded`` for the shipped
data set), opens ``--page`` over Streamlit's websocket protocol (a Python client on
loopback, no browser), reruns it once unchanged, then changes the sidebar date range
``--changes`` times (each change checked to have been taken; past the 7th the ranges come
round again, warm), and prints per run the bytes received by kind of element (a map
component, a chart, a table...), largest first, with the server CPU time of the run. It
says where the bytes of ``bench.browser``'s "MB change" go.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.browser import PAGES, RANGES, SIZES, TODAY, dataset_for, serve


def _element_name(fwd) -> str:
    delta = fwd.delta
    kind = delta.WhichOneof("type")
    if kind != "new_element":
        return f"delta:{kind}"
    element = delta.new_element
    etype = element.WhichOneof("type")
    if etype == "component_instance":
        return f"component:{element.component_instance.component_name}"
    return etype or "?"


async def _run(ws, msg) -> tuple[float, Counter, dict]:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    await ws.send(msg.SerializeToString())
    t0 = time.perf_counter()
    sizes: Counter = Counter()
    seen: dict = {}
    while True:
        data = await ws.recv()
        fwd = ForwardMsg.FromString(data)
        kind = fwd.WhichOneof("type")
        if kind == "delta":
            name = _element_name(fwd)
            sizes[name] += len(data)
            element = fwd.delta.new_element
            if element.WhichOneof("type") == "date_input" and element.date_input.label == (
                "Date range"
            ):
                seen["dates"] = element.date_input.id
        else:
            sizes[f"msg:{kind}"] += len(data)
        if kind == "new_session":
            seen["hash"] = fwd.new_session.page_script_hash
        if kind == "script_finished" and fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            return time.perf_counter() - t0, sizes, seen


def _print(title: str, took: float, cpu: float, sizes: Counter) -> None:
    total = sum(sizes.values())
    print(f"\n{title}: {total / 1e6:.3f} MB, {took:.2f} s wait, {cpu * 1000:.0f} ms server CPU")
    for name, b in sizes.most_common(12):
        print(f"  {b / 1e3:10.1f} kB  {name}")


async def _measure(server, page: str, changes: int) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    url = server.url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, proxy=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = PAGES[page]
        cpu0 = server.cpu_s()
        took, sizes, seen = await _run(ws, msg)
        _print("open", took, server.cpu_s() - cpu0, sizes)
        # the first run's widgets are keyed before the page is known: one rerun on the page
        # with the date range as shown gives the ids its own reruns use
        msg = BackMsg()
        msg.rerun_script.page_script_hash = seen["hash"]
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id = seen["dates"]  # as shown: no range typed
        widget.string_array_value.data.extend([])
        cpu0 = server.cpu_s()
        took, sizes, again = await _run(ws, msg)
        seen.update(again)
        _print("rerun, nothing changed", took, server.cpu_s() - cpu0, sizes)
        for run in range(changes):
            msg = BackMsg()
            msg.rerun_script.page_script_hash = seen["hash"]
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = seen["dates"]
            widget.string_array_value.data.extend(RANGES[run % len(RANGES)])
            cpu0 = server.cpu_s()
            took, sizes, again = await _run(ws, msg)
            dates = RANGES[run % len(RANGES)]
            if again.get("dates") != widget.id:  # no such widget on the page: change lost
                raise RuntimeError(f"the date range {dates} was not taken (widget {widget.id})")
            seen.update(again)
            _print(f"change {run + 1} {dates}", took, server.cpu_s() - cpu0, sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="10k, 100k, 1m, a number, or embedded")
    parser.add_argument("--page", default="overview", choices=sorted(PAGES))
    parser.add_argument("--changes", type=int, default=2)
    parser.add_argument("--opens", type=int, default=1, help="sessions opened one after another")
    parser.add_argument("--cache-dir", type=Path, help="keep the columnar cache here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pw-wire-") as tmp:
        env = {
            "PATROLWATCH_TODAY": TODAY,
            "PATROLWATCH_STORE": str(Path(tmp) / "store"),
            "PATROLWATCH_CACHE_DIR": str(args.cache_dir or Path(tmp) / "cache"),
        }
        if args.size != "embedded":
            n = SIZES.get(args.size.lower()) or int(args.size.replace("_", ""))
            env["PATROLWATCH_DATA"] = str(dataset_for(n)[0])
        with serve(env, f"wire-{args.size}") as server:
            for i in range(args.opens):
                asyncio.run(_measure(server, args.page, args.changes if i == args.opens - 1 else 0))


if __name__ == "__main__":
    main()
