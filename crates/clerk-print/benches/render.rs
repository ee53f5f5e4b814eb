//! Receipt PDF generation (issue #4 goal: median ≤ 50 ms, release). The font
//! is parsed once per process, as in the app.

use clerk_print::{load_template, render, sample_values, Font, Marking};
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let font = Font::default_font().unwrap();
    let mut g = c.benchmark_group("render");
    for kind in ["receipt", "receipt_80mm", "acceptance_notice"] {
        let t = load_template(kind, None).unwrap();
        let v = sample_values(kind);
        let size = render(&t, &v, &font, Marking::Original).unwrap().len();
        println!("{kind}: {size} bytes");
        g.bench_function(kind, |b| {
            b.iter(|| render(&t, &v, &font, Marking::Original).unwrap())
        });
    }
    g.finish();
    let t = std::time::Instant::now();
    let _ = Font::default_font().unwrap();
    println!(
        "font load (Noto Serif CJK SC from the .ttc): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
