#!/usr/bin/env python3
"""Deterministic benchmark corpus in the arXiv metadata snapshot shape.

    python3 benches/corpus.py --records N --out FILE [--seed S] [--gzip]

Writes N JSON lines shaped like the Kaggle/Cornell `arxiv-metadata-oai-snapshot.json`:

    {"id":"1501.00001","submitter":...,"authors":"A. Smith, B. Jones and C. Lee","title":...,
     "comments":...,"journal-ref":...,"doi":...,"report-no":...,"categories":"cs.LG cs.AI",
     "license":...,"abstract":...,"versions":[{"version":"v1","created":"Mon, 2 Apr 2007 ..."}],
     "update_date":"2024-03-13","authors_parsed":[["Smith","A.",""]]}

The text is real: titles and abstract sentences come from the bundled listing pages
(`data/listings/*.txt`) and from any paper data under `../shared/data/` (JSON lines, or JSON
arrays of objects, with `title` and `abstract`; `.gz` is read too). N records are made by
recombination: each takes a real title (sometimes with a variant suffix) and an abstract built
from the sentences of 1-3 real abstracts (runs in source order, a few sentences left out),
600-1800 characters long.
Authors come from a fixed pool of made-up names. Like the real snapshot, titles and abstracts
are hard-wrapped (abstracts indented by two spaces and ending in a newline); `--no-wrap` writes
them on one line.

The output depends only on --seed, the options and the source texts, and is streamed: memory
does not grow with N. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import os
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_LISTINGS = REPO / "data" / "listings"
DEFAULT_SHARED = REPO.parent / "shared" / "data"

# --- reading the sources -------------------------------------------------------------------

# Mirrors src/ingest/listing.rs: optional header lines and date, then title / abstract pairs.
HEADER_LINES = {
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
}
DATE = re.compile(r"^(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(, \d{4})?$")
BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n")
# A sentence ends at . ! or ? followed by white space and something that starts a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'`])")

MIN_SOURCE_ABSTRACT = 200  # shorter "abstracts" in shared data are stubs; skip them
MAX_SOURCE_JSON_BYTES = 1 << 30  # a JSON array is parsed whole; bigger files are skipped


def squash(text: str) -> str:
    return " ".join(text.split())


def looks_like_abstract(text: str) -> bool:
    words = len(text.split())
    return len(text) > 250 or (text.count(". ") >= 1 and words > 15) or (text.endswith(".") and words > 12)


def read_listing(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    paragraphs = [squash(p) for p in BLANK_LINES.split(text.replace("\r\n", "\n"))]
    paragraphs = [p for p in paragraphs if p]
    i = 0
    while i < len(paragraphs) and (paragraphs[i] in HEADER_LINES or DATE.match(paragraphs[i])):
        i += 1
    while i + 1 < len(paragraphs):
        title, abstract = paragraphs[i], paragraphs[i + 1]
        if not looks_like_abstract(title) and looks_like_abstract(abstract):
            yield title, abstract
            i += 2
        else:
            i += 1


def open_text(path: Path):
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def paper_from(obj):
    if not isinstance(obj, dict):
        return None
    title, abstract = obj.get("title"), obj.get("abstract")
    if not isinstance(title, str) or not isinstance(abstract, str):
        return None
    title, abstract = squash(title), squash(abstract)
    if not title or len(abstract) < MIN_SOURCE_ABSTRACT:
        return None
    return title, abstract


def read_shared_file(path: Path, limit: int):
    """Papers from one JSON-lines file or JSON array; anything else yields nothing."""
    with open_text(path) as f:
        head = f.read(4096).lstrip()
    if head.startswith("["):
        if path.stat().st_size > MAX_SOURCE_JSON_BYTES:
            print(f"corpus.py: skipping {path}: JSON array larger than 1 GiB", file=sys.stderr)
            return
        try:
            with open_text(path) as f:
                items = json.load(f)
        except ValueError:
            return
        for obj in items:
            if limit <= 0:
                return
            paper = paper_from(obj)
            if paper:
                limit -= 1
                yield paper
    elif head.startswith("{"):
        with open_text(path) as f:
            for line in f:
                if limit <= 0:
                    return
                try:
                    paper = paper_from(json.loads(line))
                except ValueError:
                    continue
                if paper:
                    limit -= 1
                    yield paper


def load_sources(listings: Path, shared: Path | None, max_sources: int):
    """Distinct (title, sentences) pairs, in a deterministic order."""
    seen, sources = set(), []
    counts = {"listings": 0, "shared": 0}

    def add(title, abstract, origin):
        if title in seen or len(sources) >= max_sources:
            return
        seen.add(title)
        sentences = tuple(s for s in SENTENCE_END.split(abstract) if s)
        sources.append((title, sentences))
        counts[origin] += 1

    if not listings.exists():
        sys.exit(f"corpus.py: {listings}: no such file or directory (--listings)")
    files = sorted(listings.glob("*.txt")) if listings.is_dir() else [listings]
    for path in files:
        for title, abstract in read_listing(path):
            add(title, abstract, "listings")
    if shared is not None and shared.is_dir():
        for path in sorted(p for p in shared.rglob("*") if p.is_file()):
            if not re.search(r"\.(jsonl|ndjson|json)(\.gz)?$", path.name):
                continue
            try:
                for title, abstract in read_shared_file(path, max_sources - len(sources)):
                    add(title, abstract, "shared")
            except (OSError, UnicodeError, EOFError, gzip.BadGzipFile) as e:
                print(f"corpus.py: skipping {path}: {e}", file=sys.stderr)
    if not sources:
        sys.exit(f"corpus.py: no title/abstract pairs found in {listings} or {shared}")
    return sources, counts


# --- made-up metadata ----------------------------------------------------------------------

GIVEN = """Aino Bastian Chiara Dmitri Elif Farid Greta Hiroshi Ines Jasper Kavya Lorenzo Mirela
Nikolai Oona Pavel Quentin Rosa Soren Tamsin Umar Valentina Wen Xenia Yusuf Zofia Anouk Bram
Carmen Dario Emeka Freya Gideon Hana Ivo Jun Kiri Leila Matteo Nadia Oskar Priya Rafael Sana
Tobias Uma Viktor Wiebke Yara Zeno Ayla Bruno Celeste Dev Esme Felix Gaia Hugo Ilse""".split()
FAMILY = """Aaltonen Brevik Castellano Drozdov Eskildsen Farrow Galloway Haverkamp Ishikawa
Jovanovic Kalnins Lindqvist Moravec Nakashima Okonkwo Petrakis Quiroga Rasmussen Szabo Takahara
Ulbricht Vasquez Wojcik Xanthos Yilmaz Zielinski Abernathy Bergstrom Costa Delacroix Engstrom
Fiorentino Grunwald Holloway Iwasaki Jankowski Kowalczyk Lombardi Marchetti Novak Oyelaran
Pellegrini Rautio Sandoval Thorsen Underhill Valente Whitlock Yanagida Zamora Achterberg Bianchi
Cervantes Dunmore Ekwueme Falkner Gustafsson Hendriks Ilves Jaramillo""".split()
MIDDLE = "A. B. C. D. E. F. G. H. J. K. L. M. N. P. R. S. T. V. W.".split()

# (category, weight): primaries of ML papers and plausible cross-lists.
CATEGORIES = [
    ("cs.LG", 30), ("cs.CL", 18), ("cs.CV", 18), ("cs.AI", 12), ("stat.ML", 8), ("cs.RO", 4),
    ("eess.IV", 2), ("cs.IR", 2), ("cs.NE", 1), ("eess.AS", 1), ("cs.SD", 1), ("cs.CR", 1),
    ("cs.HC", 1), ("cs.MA", 1), ("math.OC", 1), ("eess.SP", 1), ("q-bio.QM", 1), ("cs.DC", 1),
]
LICENSES = [
    ("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", 60),
    ("http://creativecommons.org/licenses/by/4.0/", 25),
    (None, 8),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/", 4),
    ("http://creativecommons.org/publicdomain/zero/1.0/", 2),
    ("http://creativecommons.org/licenses/by-sa/4.0/", 1),
]
VENUES = ["NeurIPS", "ICML", "ICLR", "CVPR", "ICCV", "ECCV", "ACL", "EMNLP", "NAACL", "AAAI",
          "IJCAI", "CoRL", "ICRA", "AISTATS", "UAI", "COLM", "TMLR"]
JOURNALS = ["Trans. Mach. Learn. Res.", "J. Mach. Learn. Res.", "IEEE Trans. Pattern Anal. Mach. Intell.",
            "Neural Comput.", "Mach. Learn.", "Int. J. Comput. Vis.", "Trans. Assoc. Comput. Linguist."]
SUFFIXES = [": Revisited", ": A Closer Look", " (Extended Version)", ": Scaling Up", " II",
            ": Beyond the Benchmark", ": Lessons Learned", ": Technical Report"]


def weighted(pairs):
    values, weights = zip(*pairs)
    cum, total = [], 0
    for w in weights:
        total += w
        cum.append(total)
    return list(values), cum


def author_pool(rng: random.Random, size: int = 600):
    """Fixed pool of (name as written, authors_parsed entry)."""
    pool, used = [], set()
    while len(pool) < size:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        style = rng.random()
        if style < 0.55:
            first = given
        elif style < 0.8:
            first = given[0] + "."
        else:
            first = given[0] + ". " + rng.choice(MIDDLE)
        suffix = "Jr" if rng.random() < 0.01 else ""
        name = f"{first} {family}" + (" Jr" if suffix else "")
        if name in used:
            continue
        used.add(name)
        pool.append((name, [family, first, suffix]))
    return pool


def wrap(text: str, width: int, indent: str) -> str:
    """Greedy hard wrap at spaces, like the snapshot: lines joined by "\\n" + indent."""
    if len(text) <= width:
        return text
    lines, start, n = [], 0, len(text)
    while n - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = text.find(" ", start + width)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return ("\n" + indent).join(lines)


# --- records -------------------------------------------------------------------------------

MIN_ABSTRACT, MAX_ABSTRACT = 600, 1800
SKIP = 0.2  # chance of leaving a sentence out of a piece
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rfc2822(t: dt.datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]}, {t.day} {MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S} GMT"


class IdSequence:
    """New-style ids YYMM.NNNNN, months from 1501 on, a realistic (random) count per month."""

    def __init__(self, rng: random.Random, records: int):
        self.rng = rng
        self.yy, self.mm = 15, 1
        months_left = (99 - 15) * 12 + 12
        # Enough ids per month that N records fit before 9912; 8k-20k a month like arXiv.
        self.low = max(8_000, -(-records // months_left))
        self.high = min(99_999, max(20_000, self.low))
        self.counter, self.quota = 0, rng.randint(self.low, self.high)

    def next(self):
        if self.counter >= self.quota:
            self.counter, self.quota = 0, self.rng.randint(self.low, self.high)
            self.mm += 1
            if self.mm > 12:
                self.yy, self.mm = self.yy + 1, 1
            if self.yy > 99:
                sys.exit("corpus.py: out of arXiv ids (more than ~100M records)")
        self.counter += 1
        return f"{self.yy:02d}{self.mm:02d}.{self.counter:05d}", self.yy, self.mm


class Generator:
    def __init__(self, seed: int, sources, wrap_text: bool):
        self.rng = random.Random(seed)
        self.sources = sources
        self.wrap_text = wrap_text
        self.authors = author_pool(random.Random(f"authors-{seed}"))
        self.cat_values, self.cat_cum = weighted(CATEGORIES)
        self.lic_values, self.lic_cum = weighted(LICENSES)

    def abstract(self) -> str:
        rng, sources = self.rng, self.sources
        target = rng.triangular(MIN_ABSTRACT, MAX_ABSTRACT, 1150)
        parts = rng.choices((1, 2, 3), (10, 50, 40))[0]
        share = target / parts
        pieces, total = [], 0
        random_ = rng.random
        for k in range(parts):
            sentences = rng.choice(sources)[1]
            # The first piece opens like an abstract does; later pieces start anywhere. A piece
            # is a run of sentences in source order with some left out (SKIP), so that few
            # records share an abstract even when the sources are only the bundled pages.
            i = 0 if k == 0 else rng.randrange(len(sentences))
            goal = share if k < parts - 1 else target - total
            got = 0
            while i < len(sentences) and (got == 0 or got + len(sentences[i]) <= goal + 80):
                if got == 0 or random_() >= SKIP:
                    pieces.append(sentences[i])
                    got += len(sentences[i]) + 1
                i += 1
            total += got
        # Keep inside the realistic range: top up from another abstract, or drop from the end.
        tries = 0
        while total <= MIN_ABSTRACT and tries < 20:  # total counts a space per sentence
            sentences = rng.choice(sources)[1]
            i = rng.randrange(len(sentences))
            while i < len(sentences) and total <= MIN_ABSTRACT:
                pieces.append(sentences[i])
                total += len(sentences[i]) + 1
                i += 1
            tries += 1
        while total > MAX_ABSTRACT + 1 and len(pieces) > 1:
            total -= len(pieces.pop()) + 1
        text = " ".join(pieces)
        if len(text) > MAX_ABSTRACT:  # a single huge sentence: cut at a word
            cut = text.rfind(" ", 0, MAX_ABSTRACT - 1)
            text = text[: cut if cut > 0 else MAX_ABSTRACT - 1] + "."
        return text

    def record(self, arxiv_id: str, yy: int, mm: int) -> dict:
        rng = self.rng
        title = rng.choice(self.sources)[0]
        r = rng.random()
        if r < 0.12:
            title += rng.choice(SUFFIXES)
        elif r < 0.18:
            title += f" v{rng.randint(2, 5)}"
        abstract = self.abstract()

        n_authors = min(1 + int(rng.expovariate(1 / 4.0)), 40)
        chosen = rng.sample(self.authors, n_authors)
        names = [a[0] for a in chosen]
        authors = names[0] if n_authors == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        submitter = names[rng.randrange(n_authors)]

        n_cats = rng.choices((1, 2, 3), (40, 40, 20))[0]
        cats = []
        while len(cats) < n_cats:
            c = rng.choices(self.cat_values, cum_weights=self.cat_cum)[0]
            if c not in cats:
                cats.append(c)

        year = 2000 + yy
        created = dt.datetime(year, mm, rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        versions = [{"version": "v1", "created": rfc2822(created)}]
        last = created
        for v in range(2, 2 + min(int(rng.expovariate(1.3)), 4)):
            last = last + dt.timedelta(days=rng.randint(3, 200), seconds=rng.randint(0, 86_399))
            versions.append({"version": f"v{v}", "created": rfc2822(last)})
        update = last.date() + dt.timedelta(days=rng.randint(0, 400))

        r = rng.random()
        if r < 0.35:
            comments = f"{rng.randint(6, 48)} pages, {rng.randint(1, 20)} figures"
        elif r < 0.55:
            comments = f"Accepted at {rng.choice(VENUES)} {year + rng.randint(0, 1)}"
        elif r < 0.65:
            comments = f"Code: https://github.com/{rng.choice(FAMILY).lower()}-lab/{rng.choice(FAMILY).lower()}"
        else:
            comments = None
        journal = doi = None
        if rng.random() < 0.15:
            journal = f"{rng.choice(JOURNALS)} {rng.randint(1, 45)} ({year + rng.randint(0, 2)}) {rng.randint(1, 999)}"
            doi = f"10.{rng.randint(1000, 9999)}/{arxiv_id.replace('.', '-')}-{rng.randint(10, 99)}"
        elif rng.random() < 0.1:
            doi = f"10.48550/arXiv.{arxiv_id}"
        report = f"TR-{year}-{rng.randint(1, 300):03d}" if rng.random() < 0.02 else None

        if self.wrap_text:
            title = wrap(title, 76, "  ")
            abstract = "  " + wrap(abstract, 78, "") + "\n"
        return {
            "id": arxiv_id,
            "submitter": submitter,
            "authors": authors,
            "title": title,
            "comments": comments,
            "journal-ref": journal,
            "doi": doi,
            "report-no": report,
            "categories": " ".join(cats),
            "license": rng.choices(self.lic_values, cum_weights=self.lic_cum)[0],
            "abstract": abstract,
            "versions": versions,
            "update_date": update.isoformat(),
            "authors_parsed": [a[1] for a in chosen],
        }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, required=True, metavar="N", help="number of records to write")
    p.add_argument("--out", required=True, metavar="FILE", help="output file ('-' for standard output)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--gzip", action="store_true", help="gzip the output")
    p.add_argument("--no-wrap", action="store_true", help="titles and abstracts on one line, unindented")
    p.add_argument("--listings", type=Path, default=DEFAULT_LISTINGS, metavar="DIR",
                   help=f"listing pages to take text from (default {DEFAULT_LISTINGS})")
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED, metavar="DIR",
                   help=f"extra paper data, used if it exists (default {DEFAULT_SHARED})")
    p.add_argument("--max-sources", type=int, default=200_000, metavar="K",
                   help="read at most K source papers (default 200000)")
    args = p.parse_args(argv)
    if args.records < 0:
        p.error("--records must be >= 0")

    started = time.perf_counter()
    sources, counts = load_sources(args.listings, args.shared, args.max_sources)
    gen = Generator(args.seed, sources, not args.no_wrap)
    ids = IdSequence(random.Random(f"ids-{args.seed}"), args.records)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    if args.out == "-":
        raw = sys.stdout.buffer
    else:
        out_path = Path(args.out)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_name(out_path.name + f".tmp{os.getpid()}")
        raw = open(tmp, "wb")
    counter = _Counting(raw)
    # Records are written a thousand at a time, so no further buffering is needed.
    out = gzip.GzipFile(fileobj=counter, mode="wb", compresslevel=6, mtime=0) if args.gzip else counter
    try:
        batch = []
        for _ in range(args.records):
            batch.append(dumps(gen.record(*ids.next())))
            if len(batch) == 1000:
                batch.append("")
                out.write("\n".join(batch).encode("utf-8"))
                batch = []
        if batch:
            batch.append("")
            out.write("\n".join(batch).encode("utf-8"))
        if out is not counter:
            out.close()  # writes the gzip trailer
        counter.flush()
        if args.out != "-":
            raw.close()
            os.replace(tmp, out_path)
    except BaseException:
        if args.out != "-":
            raw.close()
            tmp.unlink(missing_ok=True)
        raise

    seconds = time.perf_counter() - started
    print(f"corpus.py: {args.records} records, {counter.bytes} bytes, {seconds:.1f} s "
          f"({len(sources)} source papers: {counts['listings']} from listings, {counts['shared']} shared; "
          f"seed {args.seed})", file=sys.stderr)
    return 0


class _Counting(io.RawIOBase):
    """Passes writes through, counting bytes."""

    def __init__(self, raw):
        self.raw, self.bytes = raw, 0

    def writable(self):
        return True

    def write(self, b):
        n = self.raw.write(b)
        n = len(b) if n is None else n
        self.bytes += n
        return n

    def flush(self):
        self.raw.flush()


if __name__ == "__main__":
    sys.exit(main())
