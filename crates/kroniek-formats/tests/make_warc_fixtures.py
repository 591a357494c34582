#!/usr/bin/env python3
"""Writes the WARC fixtures in testdata/articles/warc/ from the HTML fixtures in
testdata/articles/html/. Deterministic: run it again after changing a page and commit the
results. (It lives here, not in testdata, so that ingesting testdata/ does not read it.)

news.warc        plain WARC, 9 records: warcinfo, request, responses (HTML, image, redirect,
                 gzip-encoded HTML, Latin-1 HTML), metadata
news.warc.gz     the same records, one gzip member per record (as Common Crawl writes them)
truncated.warc   news.warc cut in the middle of record 8
truncated.warc.gz  news.warc.gz cut in the middle of the member holding record 8
"""
import gzip
import io
import os

ARTICLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testdata", "articles")
HERE = os.path.join(ARTICLES, "warc")
HTML = os.path.join(ARTICLES, "html")


def page(name):
    with open(os.path.join(HTML, name), "rb") as f:
        return f.read()


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def http(status, headers, body):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode() + body


def record(n, kind, uri, date, block, content_type=None):
    head = [f"WARC-Type: {kind}", f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>",
            f"WARC-Date: {date}"]
    if uri:
        head.append(f"WARC-Target-URI: {uri}")
    if content_type:
        head.append(f"Content-Type: {content_type}")
    head.append(f"Content-Length: {len(block)}")
    return ("WARC/1.0\r\n" + "\r\n".join(head) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


HTTP_RESPONSE = "application/http; msgtype=response"
records = [
    record(1, "warcinfo", None, "2019-03-14T02:00:00Z", b"software: kroniek fixture writer\r\nformat: WARC File Format 1.0\r\n",
           "application/warc-fields"),
    record(2, "request", "https://dagblad.example/2019/03/13/klimaatplan", "2019-03-14T02:00:01Z",
           b"GET /2019/03/13/klimaatplan HTTP/1.1\r\nHost: dagblad.example\r\n\r\n", "application/http; msgtype=request"),
    record(3, "response", "https://dagblad.example/2019/03/13/klimaatplan", "2019-03-14T02:00:01Z",
           http("200 OK", [("Content-Type", "text/html; charset=utf-8")], page("nl-article.html")), HTTP_RESPONSE),
    record(4, "metadata", "https://dagblad.example/2019/03/13/klimaatplan", "2019-03-14T02:00:01Z",
           b"fetchTimeMs: 120\r\n", "application/warc-fields"),
    record(5, "response", "https://dagblad.example/plan.jpg", "2019-03-14T02:00:02Z",
           http("200 OK", [("Content-Type", "image/jpeg")], b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"), HTTP_RESPONSE),
    record(6, "response", "https://dagblad.example/oud", "2019-03-14T02:00:03Z",
           http("301 Moved Permanently", [("Location", "https://dagblad.example/nieuw"), ("Content-Type", "text/html")],
                b"<html><body>Moved</body></html>"), HTTP_RESPONSE),
    record(7, "response", "https://dagblad.example/zonder-datum", "2019-03-14T02:00:04Z",
           http("200 OK", [("Content-Type", "text/html")], page("no-date.html")), HTTP_RESPONSE),
    record(8, "response", "https://times.example/floods?utm=feed", "2020-02-18T03:10:00Z",
           http("200 OK", [("Content-Type", "text/html; charset=UTF-8"), ("Content-Encoding", "gzip")], gz(page("en-article.html"))),
           HTTP_RESPONSE),
    record(9, "response", "https://dagblad.example/cafe", "2017-06-03T08:00:00Z",
           http("200 OK", [("Content-Type", "text/html; charset=ISO-8859-1")], page("invalid-utf8.html")), HTTP_RESPONSE),
]

plain = b"".join(records)
members = [gz(r) for r in records]
packed = b"".join(members)
cut_plain = sum(len(r) for r in records[:7]) + len(records[7]) // 2
cut_packed = sum(len(m) for m in members[:7]) + len(members[7]) // 2

for name, data in [("news.warc", plain), ("news.warc.gz", packed), ("truncated.warc", plain[:cut_plain]),
                   ("truncated.warc.gz", packed[:cut_packed])]:
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(name, len(data))
