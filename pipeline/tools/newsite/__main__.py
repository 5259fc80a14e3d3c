"""``python -m pipeline.tools.newsite``: the news site until Ctrl-C."""

from __future__ import annotations

import argparse
import time

from pipeline.tools.newsite.site import NewsSite


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.tools.newsite", description=__doc__)
    parser.add_argument("--hosts", type=int, default=1, help="answer on 127.0.0.1 .. 127.0.0.N")
    parser.add_argument("--synthetic", type=int, default=0, help="generated articles per host")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--ready-line", action="store_true", help="print only 'ready PORT' (benchmarks)")
    args = parser.parse_args()
    site = NewsSite(
        huge_bytes=8 * 1024 * 1024,
        bomb_decompressed_bytes=64 * 1024 * 1024,
        hosts=args.hosts,
        synthetic=args.synthetic,
        port=args.port,
        record_requests=not args.ready_line,
    )
    with site:
        if args.ready_line:
            print(f"ready {site.port}", flush=True)
        else:
            print(f"news site on {site.base_url} (feeds: /feed.xml /atom.xml, sitemap: /news-sitemap.xml)")
            print(f"  export WIRESTREAM_SCRAPE_ALLOW_HOSTS={','.join(site.host_names)}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
