//! Matter search over a catalogue of 5,000 matters (issue #3 goal: ≤ 5 ms).
//! `cargo xtask bench search`.

use clerk_core::catalogue::Catalogue;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// The sample catalogue's matters repeated to 5,000, each with its own code.
fn big_catalogue() -> Catalogue {
    let mut v: serde_json::Value = serde_json::from_str(clerk_core::SAMPLE_CATALOGUE_JSON).unwrap();
    let base = v["matters"].as_array().unwrap().clone();
    let mut out = Vec::with_capacity(5000);
    for i in 0..5000 {
        let mut m = base[i % base.len()].clone();
        let code = m["code"].as_str().unwrap().to_owned();
        m["code"] = format!("{}{:06}", &code[..25], i).into();
        m["name"] = format!("{}（{}）", m["name"].as_str().unwrap(), i).into();
        out.push(m);
    }
    v["matters"] = out.into();
    Catalogue::parse(&v.to_string()).unwrap()
}

fn search(c: &mut Criterion) {
    let cat = big_catalogue();
    assert_eq!(cat.matters.len(), 5000);
    for q in ["spjyxk", "shipin", "食品经营", "yyzz", "zzzzzz"] {
        c.bench_function(&format!("search 5000 matters: {q}"), |b| {
            b.iter(|| black_box(cat.search(black_box(q))).len())
        });
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
