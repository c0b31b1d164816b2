"""Each built-in detector: what it must find, and ordinary log text it must leave alone."""

from __future__ import annotations

import pytest

from redactors.scanner import FreeTextScanner

# (text, the exact value that must be found)
POSITIVE: dict[str, list[tuple[str, str]]] = {
    "EMAIL_ADDRESS": [
        ("contact me at priya [dot] natarajan [at] gmail [dot] com",
         "priya [dot] natarajan [at] gmail [dot] com"),
        ("write to jo(at)example(dot)org now", "jo(at)example(dot)org"),
        ("reach kim at example dot com for access", "kim at example dot com"),
        ("mail jane.doe@example.com now", "jane.doe@example.com"),
        ("to: <J.Doe+news@Sub.Example.CO.UK>", "J.Doe+news@Sub.Example.CO.UK"),
        ("mailto:ops_team@example.io", "ops_team@example.io"),
        ('{"email":"x.y@example.de"}', "x.y@example.de"),
    ],
    "IP_ADDRESS": [
        ("from 203.0.113.7 port 22", "203.0.113.7"),
        ("upstream 10.0.3.17:8080 timeout", "10.0.3.17"),
        ("client 2001:db8::8a2e:370:7334 ok", "2001:db8::8a2e:370:7334"),
        ("peer [2001:db8::1]:443 closed", "[2001:db8::1]"),
        ("mapped ::ffff:192.0.2.128 seen", "::ffff:192.0.2.128"),
        ("padded 010.001.002.003 seen", "010.001.002.003"),
        ("full 2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
        ("link fe80::1ff:fe23:4567:890a%eth0 up", "fe80::1ff:fe23:4567:890a%eth0"),
        ("rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om user=x", "5.36.59.76"),
        ("rhost=ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn", "52-80-34-196"),
        ("Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: up", "10-105-160-95"),
        ("host ip-10-0-0-1.ec2.internal ready", "10-0-0-1"),
        ("rhost=d211-116-254-214.rev.krline.net", "211-116-254-214"),
        ("from 24.54.76.216 (24-54-76-216.bflony.adelphia.net)", "24-54-76-216"),
        ("rhost=061092085098.ctinets.com", "061092085098"),
    ],
    "PHONE_NUMBER": [
        ("Handy: 0151 23456789 erreichbar", "0151 23456789"),
        ("m\u00f3vil 612 345 678 confirmado", "612 345 678"),
        ("celular: (11) 91234-5678", "(11) 91234-5678"),
        ("call +1 415-555-2671 now", "+1 415-555-2671"),
        ("tel:+442079460958", "+442079460958"),
        ("office (415) 555-2671", "(415) 555-2671"),
        ("us 415.555.2671", "415.555.2671"),
        ("uk 020 7946 0958", "020 7946 0958"),
        ("de +49 30 901820", "+49 30 901820"),
        ("fr 01 42 68 53 00", "01 42 68 53 00"),
        ("phone=4155552671", "4155552671"),
        ("intl 0044 20 7946 0958", "0044 20 7946 0958"),
        ("call 555-123-4567x890 now", "555-123-4567x890"),
        ("us 001-541-754-3010 ok", "001-541-754-3010"),
        ("es 612 34 56 78 ok", "612 34 56 78"),
    ],
    "CREDIT_CARD": [
        ("card 4111 1111 1111 1111 ok", "4111 1111 1111 1111"),
        ("pan=5500-0000-0000-0004", "5500-0000-0000-0004"),
        ("amex 3782 822463 10005", "3782 822463 10005"),
        ("raw 4012888888881881 end", "4012888888881881"),
    ],
    "IBAN_CODE": [
        ("iban DE89 3704 0044 0532 0130 00 ok", "DE89 3704 0044 0532 0130 00"),
        ("to GB82WEST12345698765432.", "GB82WEST12345698765432"),
        ("nl NL91ABNA0417164300 end", "NL91ABNA0417164300"),
    ],
    "ID_NUMBER": [
        ("scanned passport number XG9382049 attached", "XG9382049"),
        ("driver\u2019s license K932-778-3840 for", "K932-778-3840"),
        ("license number D245-938-19-203 in the report", "D245-938-19-203"),
        ("routing number 061000104 for deposit", "061000104"),
        ("bank account number 3847283911 belonging", "3847283911"),
        ("Tax ID 94-2841935 under", "94-2841935"),
        ("TIN 11-4391209 appeared", "11-4391209"),
        ("acct #: 12345678 closed", "12345678"),
        ("PAN card number 'ABPCJ4567R' and", "ABPCJ4567R"),
        ("salary payments (ACC: HDFC45678901) used", "HDFC45678901"),
        ("tax identification number 987654321, alongside", "987654321"),
        ("cliente 529.982.247-25 cadastrado", "529.982.247-25"),
        ("codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("id X1234567L ok", "X1234567L"),
        ("DNI 12345678Z", "12345678Z"),
        ("pan ABCPE1234F on file", "ABCPE1234F"),
        ("UIDAI 2345 6789 0124 linked", "2345 6789 0124"),
        ("AB 12 34 56 C on file", "AB 12 34 56 C"),
        ("SIN 046 454 286 verified", "046 454 286"),
        ("VIN 1HGCM82633A004352 registered", "1HGCM82633A004352"),
    ],
    "USERNAME": [
        ("Failed password for invalid user webmaster from 1.2.3.4 port 3", "webmaster"),
        ("Accepted publickey for alice from 10.0.0.1 port 22 ssh2", "alice"),
        ("pam_unix(su:session): session opened for user carol by (uid=0)", "carol"),
        ("tty=ssh ruser= rhost=host.example  user=dave", "dave"),
        ("/login?user=erin&next=/", "erin"),
        ("Account Name:\t\tjdoe", "jdoe"),
        ("Logon failure. User: CORP\\mkowalski Source: 10.0.0.5", "CORP\\mkowalski"),
        ('{"msg": "x", "username": "frank.m"}', "frank.m"),
        ("su: (to root) jbaptiste on pts/1", "jbaptiste"),
        ("loaded /home/priyanka/.local/lib/libfoo.so", "priyanka"),
        ("Thermal pressure path=/Users/xpc/Library/Caches", "xpc"),
        ("could not open C:\\Users\\tnakamura\\AppData\\Local\\x.tmp", "tnakamura"),
        ('File "C:\\\\Users\\\\Mei Ling\\\\app.py", line 3', "Mei Ling"),
        ("C:\\Documents and Settings\\jdoe\\Desktop", "jdoe"),
    ],
    "DATE_OF_BIRTH": [
        ("INFO dob=1985-04-12 ssn=<US_SSN>", "1985-04-12"),
        ("date of birth: 12/04/1985 on the form", "12/04/1985"),
        ("patient born on 4 March 1979 in Leeds", "4 March 1979"),
        ("DOB: March 4th, 1979", "March 4th, 1979"),
        ("geb. 03.02.1990 in K\u00f6ln", "03.02.1990"),
    ],
    "US_SSN": [
        ("SSN 937-42-6810 (an ITIN) named", "937-42-6810"),
        ("ssn 123-45-6789 on file", "123-45-6789"),
        ("SSN: 536 22 1234", "536 22 1234"),
        ("social security number 536221234", "536221234"),
    ],
    "MAC_ADDRESS": [
        ("dev 00:1a:2b:3c:4d:5e up", "00:1a:2b:3c:4d:5e"),
        ("dev 00-1A-2B-3C-4D-5E up", "00-1A-2B-3C-4D-5E"),
        ("cisco 001a.2b3c.4d5e up", "001a.2b3c.4d5e"),
    ],
    "GEO_COORDINATE": [
        ("at 52.520008, 13.404954 now", "52.520008, 13.404954"),
        ("loc=-33.8688,151.2093", "-33.8688,151.2093"),
        ("gps 48.85,2.35", "48.85,2.35"),
        ("near [-71.6702,-107.6572] now", "-71.6702,-107.6572"),
        ('{"lat": 40.7128, "lon": -74.0060}', "40.7128"),
    ],
    "SESSION_TOKEN": [
        ("Cookie: PHPSESSID=298zf09hf012fh2; path=/", "298zf09hf012fh2"),
        ("JSESSIONID=1A530637289A03B07199A44E8D531427", "1A530637289A03B07199A44E8D531427"),
        ("session_id: 9f8e7d6c5b4a39281706", "9f8e7d6c5b4a39281706"),
        ("/cart;jsessionid=a1b2c3d4e5f6a7b8c9d0", "a1b2c3d4e5f6a7b8c9d0"),
        ("resume session 4f3c2b1a09e8d7c6b5a4", "4f3c2b1a09e8d7c6b5a4"),
        ("/callback?code=4/0AX4XfWh7Yk2p9Qz&state=x", "4/0AX4XfWh7Yk2p9Qz"),
        (
            "&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
            "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
        ),
    ],
    "JWT": [
        (
            "auth eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl done",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        ),
    ],
    "API_KEY": [
        ("key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        (
            "gh ghp_16C7e42F292c6912E7710c838347Ae178B4a x",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        ),
        ("slack xoxb-2637-1234567890-AbCdEfGhIjKl ok", "xoxb-2637-1234567890-AbCdEfGhIjKl"),
        ("g AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY x", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
        ("?api_key=3f9a2c7e1b4d8f60&x=1", "3f9a2c7e1b4d8f60"),
        ('"x-api-key": "Zm9vYmFyYmF6cXV4MTIz"', "Zm9vYmFyYmF6cXV4MTIz"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "AWS secret key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
    ],
    "BEARER_TOKEN": [
        ("Authorization: Bearer abcDEF123456ghiJKL", "abcDEF123456ghiJKL"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("{'Authorization': 'Basic YWxpY2U6czNjcmV0'}", "YWxpY2U6czNjcmV0"),
    ],
    "SECRET": [
        ("db password=hunter2 host=x", "hunter2"),
        ('{"client_secret": "s3cr3t-v@lue"}', "s3cr3t-v@lue"),
        ("pwd: Tr0ub4dor&3 ok", "Tr0ub4dor&3"),
        ("/login?user=a&password=xyz&next=/", "xyz"),
        ("your new password m3O7mPlP8k was set", "m3O7mPlP8k"),
        ("found UserID 'x' with password 'B@nZes94!', attempting", "B@nZes94!"),
        ("exposed: edward.kim@example.com / W!nter2024.", "W!nter2024"),
    ],
    "URL_CREDENTIALS": [
        ("postgres://admin:s3cr3t@db:5432/x", "admin:s3cr3t"),
        ("clone https://bob:p#ss@git.example.com/r.git", "bob:p#ss"),
    ],
    "PERSON": [
        ("Dear John Smith, welcome", "John Smith"),
        ('payment declined holder="J\u00fcrgen Wei\u00df"', "J\u00fcrgen Wei\u00df"),
        ("name: \u0141ukasz \u017b\u00f3\u0142\u0107", "\u0141ukasz \u017b\u00f3\u0142\u0107"),
        ("verified for Herr Max Mustermann today", "Max Mustermann"),
        ("Bonjour Madame H\u00e9l\u00e8ne Dubois", "H\u00e9l\u00e8ne Dubois"),
        ("Se\u00f1ora Ana Mar\u00eda L\u00f3pez called", "Ana Mar\u00eda L\u00f3pez"),
        ("name: John Smith Order 42", "John Smith"),
        ("payment declined for J\u00fcrgen Wei\u00df", "J\u00fcrgen Wei\u00df"),
        ("ticket from Jos\u00e9 \u00c1lvarez today", "Jos\u00e9 \u00c1lvarez"),
        ("full_name=Nguy\u1ec5n V\u0103n An", "Nguy\u1ec5n V\u0103n An"),
        ("name: Maria Garcia", "Maria Garcia"),
        ("first_name=Jane&last_name=Doe", "Jane"),
        ("ticket opened by Ahmed Hussain via chat", "Ahmed Hussain"),
        ("Jennifer Lopez changed the address", "Jennifer Lopez"),
        ("Zorblax W. Anderson changed the address", "Zorblax W. Anderson"),
        ("Ok. Zorblax Patel changed the address", "Zorblax Patel"),
        ("From: Zorblax Quux <zq@example.com>", "Zorblax Quux"),
        ("Dear Dr. Mariana Koepp, hello", "Mariana Koepp"),
        ("Applicant Saira Mendez uploaded a photo", "Saira Mendez"),
        ("listed next to the name Julian DeWitt.", "Julian DeWitt"),
        ("the file held Ramesh Krishnan's Aadhar number", "Ramesh Krishnan"),
    ],
}

# Ordinary log text that must produce no finding at all.
NEGATIVE: list[str] = [
    "request_id=550e8400-e29b-41d4-a716-446655440000 completed in 123ms",
    "build a3f9c2e1 deployed version 2.14.3 at 2024-01-15T12:30:45.123Z",
    "processed 1048576 bytes in 2.5s, epoch 1700000000, ts=1700000000123",
    "User-Agent Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36",
    "Windows build 10.0.19045.3693 detected, OID 1.2.840.113549.1.1.1",
    "kafka offset 123456789012 partition 7 lag 0",
    "081109 203615 148 INFO dfs.DataNode$PacketResponder: block blk_-6952295868487656571",
    "2015-10-18 18:01:47,978 INFO [main] MRAppMaster: appattempt_1445144423722_0020_000001",
    "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS KERNEL INFO",
    "Listening on 0.0.0.0:8080 and [::]:8080, loopback 127.0.0.1",
    "Accepted publickey for deploy port 51234 ssh2: RSA SHA256:abc",
    "session opened for user root by (uid=0)",
    "Failed password for invalid user admin",
    "invoice 2024-123456 generated, total 129.99",
    "disk /dev/sda1 93% used (1800G of 2048G), inode 7340032",
    "pulled image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "C++ std::vector<int>::size and Foo::Bar::baz called",
    "icon@2x.png not found in /static",
    "password reset requested, password=*** token=null",
    "api key rotation scheduled; access key expired; secret key missing",
    "basic auth failed for realm admin; Basic Authentication required",
    "db password=<SECRET> secret=${DB_SECRET} pwd={{ vault_pwd }} pass=%(pw)s",
    "Hello World from New York, Google Chrome updated",
    "broadcast ff:ff:ff:ff:ff:ff seen",
    "retrying in 1500 ms (attempt 3/5) after HTTP 503, status code=200 sig=ok",
    "latency p50=12.5ms p99=123.45ms at 17:45:01",
    "scores 0.123, 0.456 and 12.345,67.890",
    "PEP 526 - Syntax for Variable Annotations; Received block from Data Node 7",
    "format(3.14, '+f') gives +3.140000 and Line Feed is \\n",
    "Thanks Jenkins, build #4521 passed on agent linux-04",
    "refund queued to IBAN amount 3000 6000 0112 3456 units",
    'Started GET "/users/123" at 2024-01-01 12:00:00 +0000, pod web-7d4b9c8f6d-x2xkq',
    # real lines from public log corpora (loghub) that hold no personal data
    "081109 205035 28 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: "
    "/user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590. "
    "blk_-1727475099218615100",
    "Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\amd64_microsoft-"
    "windows-servicingstack_31bf3856ad364e35_6.1.7601.23505_none_681aa442f6fed7f0\\cbscore.dll",
    "Session: 30546173_4261722401 initialized by client WindowsUpdateAgent.",
    "[req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 - - -] "
    "image 0673dd71-34c5-4fbb-86c4-40623fbe45b4 at (/var/lib/nova/instances/_base/a489c868f0)",
    "setSystemUiVisibility vis=40000500 mask=ffffffff oldVal=508 diff=40000008, "
    "Bounds=Rect(0, 0 - 720, 1280)",
    "guava-1.2.3.4.jar and release v2-10-0-3 and counter 1-2-3-4 and 2017-05-16-12",
    "ARPT: 620750.434035: wl0: wl_update_tcpkeep_seq: Original Seq: 3226706533, Ack: 3871687177",
    "account locked after 3 attempts; license MIT; passport check ok; member since 2019-05-01",
    "tin can 123; protein 456789 g; account created 2024-01-15; panel 1234567 updated",
    "password 'changed' notice sent; pushed org/repo.git / main",
    "LaTeX and DeVito build; DeviceManager ready",
    "forwarded <PHONE_NUMBER> id=42 200 200",  # our placeholder is no phone word
    "acc=0.98123 loss=1.25; access granted; account: admin; member: 12 guests; pan 512x512",
    "logname= uid=0 euid=0 tty=ssh ruser= user=root; check pass; user unknown; login: failed",
    "User-Agent: curl/8.0; user_id=12345; user: null; Failed password for root from x",
    "Service started. User: NT AUTHORITY\\SYSTEM; user=WORKGROUP\\nobody",
    "Google Cloud's quota and Apache Kafka's log; the New York's office; Visual Studio's build",
    "C:\\Users\\Public\\Documents\\setup.log and /home/root/.bashrc; /Users/ is empty",
    "Die Gr\u00f6\u00dfe wurde ge\u00e4ndert; Caf\u00e9 \u00d6l\u00fcdeniz booking #42",
    "account created 2024-01-15; birthday campaign starts 2026-12-01; born 2999-01-01",
    "logged in at example.com today; meet at 10 dot 30; look at this. dot matrix; the {at} sign",
    "v1.234.567-89 build 20261201T101500Z ERROR1234X 529.982.247-26 RSSMRA85T10A562X",
]


@pytest.fixture(scope="module")
def scanner() -> FreeTextScanner:
    return FreeTextScanner()


@pytest.mark.parametrize(
    ("entity", "text", "value"),
    [(entity, text, value) for entity, rows in POSITIVE.items() for text, value in rows],
)
def test_detector_finds_value(scanner: FreeTextScanner, entity: str, text: str, value: str) -> None:
    found = [(text[f.start : f.end], f.entity) for f in scanner.find(text)]
    assert (value, entity) in found, found


@pytest.mark.parametrize("text", NEGATIVE)
def test_ordinary_log_text_is_clean(scanner: FreeTextScanner, text: str) -> None:
    assert [(text[f.start : f.end], f.entity) for f in scanner.find(text)] == []
