//! Time-tagging throughput on one core: generates news-like text (Dutch and English,
//! about one sentence in three with a time expression, the rest ordinary prose with
//! numbers and names), tags it document by document and prints MB/s.
//!
//! cargo run --release --bin timex -- [MEGABYTES (default 12)]

use std::time::Instant;

use kroniek_core::{timex, Lang, PubDate};

const NL_TIME: &[&str] = &[
    "Volgens de Amerikaanse president is de groep volgende week haar laatste stuk terrein kwijt.",
    "De putsch zou gebeurd zijn op {D} {M} in een klein dorpje in het oosten van het land.",
    "Hij zou {N} jaar geleden gewond geraakt zijn bij een bombardement.",
    "De minister zei afgelopen {W} dat het plan klaar was.",
    "Drie keer de afgelopen {N} maanden hadden inlichtingendiensten hem op de korrel.",
    "Zo zou hij op {D} {M} {Y} het veiligheidsprotocol hebben doorbroken en {N} seconden lang gesproken.",
    "Ook twee andere keren, waarvan eentje eind vorig jaar, was de tijd te kort.",
    "De man die in {Y} het kalifaat uitriep is de afgelopen jaren meerdere keren dood verklaard.",
    "Gisteravond om 22.30 uur werd de verdachte in Antwerpen gearresteerd.",
    "De winst steeg in het derde kwartaal van {Y} met {N} procent.",
];
const NL_PLAIN: &[&str] = &[
    "Een groep jihadisten binnen de organisatie zou geprobeerd hebben hun leider omver te werpen.",
    "Andere rapporten schatten dat er nog tot 14.000 militanten zijn, verspreid over twee landen.",
    "Dat schrijft de Britse krant The Guardian op basis van anonieme bronnen.",
    "De premie op het hoofd van zo'n belangrijke figuur is ongebruikelijk, zeggen experts.",
    "Volgens de zender zouden er nog zo'n 1.500 strijders bijeen zitten aan de grens.",
    "De oppositie vraagt opheldering en wil dat de minister naar de Kamer komt.",
];
const EN_TIME: &[&str] = &[
    "The company said on {W} that net income for the {N} months ended Sept. 30 slipped {N}%.",
    "Profit rose in the third quarter, up from a year earlier, the company said.",
    "The minister will visit the region next week, a spokesman said on {M} {D}, {Y}.",
    "Prices have doubled over the past {N} years, according to the report.",
    "He was wounded {N} years ago in an air strike near the border.",
    "The talks ended at 10 p.m. {W} without an agreement.",
    "Shares fell sharply last month after the results were published.",
    "The deal, signed in {M} {Y}, runs for {N} years and is reviewed every year.",
];
const EN_PLAIN: &[&str] = &[
    "Analysts said the merger would create the largest carrier in the region.",
    "The group once claimed 70,000 followers but is now close to defeat, officials say.",
    "Police arrested two men and seized weapons and cash in the raid.",
    "The board rejected the offer, calling it inadequate and opportunistic.",
    "Critics argue that the plan does little to address the underlying problems.",
    "The aircraft can carry 555 passengers on two full-length decks.",
];
const NL_MONTHS: &[&str] = &[
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const EN_MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const NL_DAYS: &[&str] = &[
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const EN_DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn fill(t: &str, rng: &mut Rng, nl: bool, out: &mut String) {
    let (months, days) = if nl {
        (NL_MONTHS, NL_DAYS)
    } else {
        (EN_MONTHS, EN_DAYS)
    };
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let key = &rest[i + 1..i + 2];
        match key {
            "D" => out.push_str(&(1 + rng.next(28)).to_string()),
            "M" => out.push_str(months[rng.next(12)]),
            "Y" => out.push_str(&(1990 + rng.next(35)).to_string()),
            "N" => out.push_str(&(2 + rng.next(40)).to_string()),
            _ => out.push_str(days[rng.next(7)]),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(12);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut docs: Vec<(String, Lang, PubDate)> = Vec::new();
    let mut total = 0;
    while total < mb * 1_000_000 {
        let nl = rng.next(2) == 0;
        let (time, plain) = if nl {
            (NL_TIME, NL_PLAIN)
        } else {
            (EN_TIME, EN_PLAIN)
        };
        let mut doc = String::with_capacity(4096);
        for s in 0..(20 + rng.next(20)) {
            let t = if rng.next(3) == 0 {
                time[rng.next(time.len())]
            } else {
                plain[rng.next(plain.len())]
            };
            fill(t, &mut rng, nl, &mut doc);
            doc.push_str(if s % 5 == 4 { "\n\n" } else { " " });
        }
        total += doc.len();
        let dct = if rng.next(2) == 0 {
            PubDate::parse("2019-02").unwrap()
        } else {
            PubDate::parse("2018-11-07").unwrap()
        };
        docs.push((doc, if nl { Lang::NL } else { Lang::EN }, dct));
    }
    // Warm up: compiles the grammars.
    let _ = timex::tag("gisteren", Lang::NL, PubDate::Unknown);
    let _ = timex::tag("yesterday", Lang::EN, PubDate::Unknown);
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..3 {
        let start = Instant::now();
        found = 0;
        for (text, lang, dct) in &docs {
            found += timex::tag(text, *lang, *dct).len();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mbytes = total as f64 / 1e6;
    println!(
        "timex: {:.1} MB in {} documents, {found} time expressions",
        mbytes,
        docs.len()
    );
    println!(
        "timex: best of 3 runs {:.3} s = {:.1} MB/s on one core ({:.0} documents/s)",
        best,
        mbytes / best,
        docs.len() as f64 / best
    );
}
