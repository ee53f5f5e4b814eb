//! A small line layout: paragraphs wrapped by glyph advances, label/value
//! rows, numbered lists, the signature area with the seal box and the QR
//! code. Positions are worked out in mm from the top-left, then written as
//! PDF operations.

use printpdf::{
    Color, Greyscale, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem, WindingOrder,
};

use crate::template::{Align, Block, Paper, Template};
use crate::{Font, Marking, PrintError, Values};

const PT_MM: f32 = 25.4 / 72.0;

enum Item {
    Text {
        page: usize,
        x: f32,
        y: f32,
        size: f32,
        text: String,
        color: (f32, f32, f32),
    },
    Box {
        page: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: bool,
        color: (f32, f32, f32),
    },
    /// The hall's seal-area image, fitted into a `w`×`h` box.
    Seal {
        page: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

struct Cursor<'a> {
    font: &'a Font,
    page_w: f32,
    page_h: Option<f32>,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    y: f32,
    page: usize,
    items: Vec<Item>,
}

impl Cursor<'_> {
    fn width_mm(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.font.advance(c)).sum::<f32>() * size * PT_MM
    }

    fn text_w(&self) -> f32 {
        self.page_w - self.left - self.right
    }

    /// Start a new page when `need` mm do not fit (A4 only; a receipt roll grows).
    fn room(&mut self, need: f32) {
        if let Some(h) = self.page_h {
            if self.y + need > h - self.bottom {
                self.page += 1;
                self.y = self.top;
            }
        }
    }

    /// Greedy wrap by advances; CJK breaks anywhere, ASCII words stay whole when they fit.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            for ch in para.chars() {
                let cw = self.font.advance(ch) * size * PT_MM;
                if w + cw > width && !line.is_empty() {
                    // Keep closing punctuation with its line (避头).
                    if "，。、；：！？）》」』”〕】".contains(ch) {
                        line.push(ch);
                        lines.push(std::mem::take(&mut line));
                        w = 0.0;
                        continue;
                    }
                    // Keep a number or word (receipt numbers, URLs) whole when it
                    // fits on the next line.
                    let word = |c: char| c.is_ascii_alphanumeric() || "-_./?&=:".contains(c);
                    if word(ch) {
                        let start = line
                            .char_indices()
                            .rev()
                            .take_while(|(_, c)| word(*c))
                            .last()
                            .map(|(i, _)| i);
                        if let Some(i) = start.filter(|i| *i > 0) {
                            let tail = line.split_off(i);
                            lines.push(std::mem::take(&mut line));
                            w = tail
                                .chars()
                                .map(|c| self.font.advance(c) * size * PT_MM)
                                .sum();
                            line = tail;
                            line.push(ch);
                            w += cw;
                            continue;
                        }
                    }
                    lines.push(std::mem::take(&mut line));
                    w = 0.0;
                }
                line.push(ch);
                w += cw;
            }
            lines.push(line);
        }
        lines
    }

    fn line(&mut self, x: f32, text: String, size: f32) {
        let lh = size * PT_MM * 1.6;
        self.room(lh);
        self.y += lh;
        self.items.push(Item::Text {
            page: self.page,
            x,
            y: self.y - lh * 0.3,
            size,
            text,
            color: (0.0, 0.0, 0.0),
        });
    }

    fn paragraph(&mut self, text: &str, size: f32, align: Align, indent: u8) {
        let indent_mm = f32::from(indent) * size * PT_MM;
        let width = self.text_w();
        let lines = self.wrap(
            &format!("{}{}", "\u{3000}".repeat(indent.into()), text),
            size,
            width,
        );
        let _ = indent_mm;
        for l in lines {
            let w = self.width_mm(&l, size);
            let x = match align {
                Align::Left => self.left,
                Align::Center => self.left + (width - w).max(0.0) / 2.0,
                Align::Right => self.left + (width - w).max(0.0),
            };
            self.line(x, l, size);
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: bool, color: (f32, f32, f32)) {
        self.items.push(Item::Box {
            page: self.page,
            x,
            y,
            w,
            h,
            fill,
            color,
        });
    }
}

/// Replace `{name}` with values; an unknown name is an error.
fn expand(text: &str, v: &Values) -> Result<String, PrintError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let j = after
            .find('}')
            .ok_or_else(|| PrintError::MissingValue(format!("unclosed {{ in {text:?}")))?;
        let key = &after[..j];
        out.push_str(
            v.text
                .get(key)
                .ok_or_else(|| PrintError::MissingValue(key.to_owned()))?,
        );
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every character must have a glyph: a rare name character the font lacks
/// fails here, naming the value, instead of printing a blank box.
fn check_glyphs(font: &Font, t: &Template, v: &Values) -> Result<(), PrintError> {
    let check = |s: &str, field: &str| -> Result<(), PrintError> {
        match s.chars().find(|c| !c.is_whitespace() && !font.has(*c)) {
            Some(ch) => Err(PrintError::MissingGlyph {
                ch,
                code: ch as u32,
                field: field.to_owned(),
            }),
            None => Ok(()),
        }
    };
    for (k, s) in &v.text {
        check(s, k)?;
    }
    for (k, l) in &v.lists {
        for s in l {
            check(s, k)?;
        }
    }
    check(&t.title, "title")?;
    for b in &t.blocks {
        match b {
            Block::Text { text, .. } | Block::SignLine { text } => check(text, "template")?,
            Block::Fields { rows } => {
                for (l, _) in rows {
                    check(l, "template")?;
                }
            }
            Block::List { title, empty, .. } => {
                check(title, "template")?;
                check(empty, "template")?;
            }
            _ => {}
        }
    }
    check("（印章）扫码查询验证码副本预览无效第页共", "template")
}

pub(crate) fn render(
    t: &Template,
    v: &Values,
    font: &Font,
    marking: Marking,
    seal_image: Option<&crate::SealImage>,
) -> Result<Vec<u8>, PrintError> {
    // The hall's image goes on the original only: a 副本 or a preview with
    // a seal on it could pass for the original.
    let seal_image = seal_image.filter(|_| marking == Marking::Original);
    check_glyphs(font, t, v)?;
    let receipt = t.paper == Paper::Receipt80;
    let (page_w, page_h) = if receipt {
        (80.0, None)
    } else {
        (210.0, Some(297.0))
    };
    let (top, left, right) = if receipt { (6.0, 4.0, 4.0) } else { t.margins };
    let mut c = Cursor {
        font,
        page_w,
        page_h,
        left,
        right,
        top,
        bottom: 25.0,
        y: top,
        page: 0,
        items: Vec::new(),
    };
    let body = t.body_size;

    // Title, centred.
    c.paragraph(&t.title, t.title_size, Align::Center, 0);
    c.y += body * PT_MM * 0.8;

    for b in &t.blocks {
        match b {
            Block::Text {
                text,
                align,
                size,
                indent,
                when,
                ..
            } => {
                if when
                    .as_ref()
                    .is_some_and(|k| v.text.get(k).is_none_or(|x| x.is_empty()))
                {
                    continue;
                }
                let s = expand(text, v)?;
                c.paragraph(&s, size.unwrap_or(body), *align, *indent);
            }
            Block::Fields { rows } => {
                let rows: Vec<(String, String)> = rows
                    .iter()
                    .map(|(l, val)| Ok((expand(l, v)?, expand(val, v)?)))
                    .collect::<Result<_, PrintError>>()?;
                let label_w = rows
                    .iter()
                    .map(|(l, _)| c.width_mm(l, body))
                    .fold(0.0, f32::max)
                    + body * PT_MM * 1.5;
                for (label, val) in rows {
                    let width = c.text_w() - label_w;
                    let lines = c.wrap(&val, body, width);
                    for (i, l) in lines.into_iter().enumerate() {
                        if i == 0 {
                            let lh = body * PT_MM * 1.6;
                            c.room(lh);
                            let y = c.y + lh - lh * 0.3;
                            c.items.push(Item::Text {
                                page: c.page,
                                x: c.left,
                                y,
                                size: body,
                                text: format!("{label}："),
                                color: (0.3, 0.3, 0.3),
                            });
                        }
                        let x = c.left + label_w;
                        c.line(x, l, body);
                    }
                }
            }
            Block::List {
                title,
                items,
                empty,
            } => {
                c.paragraph(title, body, Align::Left, 0);
                let list = v
                    .lists
                    .get(items)
                    .ok_or_else(|| PrintError::MissingValue(items.clone()))?;
                if list.is_empty() {
                    c.paragraph(empty, body, Align::Left, 2);
                }
                for (i, item) in list.iter().enumerate() {
                    let n = format!("{}. ", i + 1);
                    let hang = c.width_mm("\u{3000}\u{3000}", body);
                    let width = c.text_w() - hang;
                    for (j, l) in c.wrap(item, body, width).into_iter().enumerate() {
                        if j == 0 {
                            let lh = body * PT_MM * 1.6;
                            c.room(lh);
                            let y = c.y + lh - lh * 0.3;
                            c.items.push(Item::Text {
                                page: c.page,
                                x: c.left + hang * 0.3,
                                y,
                                size: body,
                                text: n.clone(),
                                color: (0.0, 0.0, 0.0),
                            });
                        }
                        let x = c.left + hang;
                        c.line(x, l, body);
                    }
                }
            }
            Block::SignLine { text } => {
                c.y += body * PT_MM;
                let s = expand(text, v)?;
                c.paragraph(&s, body, Align::Left, 0);
            }
            Block::Space { mm } => c.y += mm,
            Block::Rule => {
                c.y += 1.5;
                let (x, y, w) = (c.left, c.y, c.text_w());
                c.rect(x, y, w, 0.3, true, (0.4, 0.4, 0.4));
                c.y += 1.5;
            }
            Block::Signature => {
                let qr_mm: f32 = if receipt { 28.0 } else { 26.0 };
                let seal = if receipt { 0.0 } else { 40.0 };
                let need = qr_mm.max(seal) + 14.0;
                c.room(need);
                c.y += 4.0;
                let y0 = c.y;
                // QR code: case number + query URL + verification code, no personal data.
                let (qx, qy) = (c.left, y0);
                qr(&mut c, &v.qr, qx, qy, qr_mm);
                let cap = format!(
                    "扫码查询 验证码：{}",
                    v.text.get("verify_code").map(String::as_str).unwrap_or("")
                );
                let cap_size = if receipt { 8.0 } else { 9.0 };
                c.items.push(Item::Text {
                    page: c.page,
                    x: qx,
                    y: qy + qr_mm + 4.0,
                    size: cap_size,
                    text: cap,
                    color: (0.2, 0.2, 0.2),
                });
                if !receipt {
                    // The seal box (never an image of a real seal: domain.md §5.4).
                    let sx = c.page_w - c.right - seal - 6.0;
                    if seal_image.is_some() {
                        c.items.push(Item::Seal {
                            page: c.page,
                            x: sx,
                            y: y0,
                            w: seal,
                            h: seal,
                        });
                    } else {
                        c.rect(sx, y0, seal, seal, false, (0.75, 0.1, 0.1));
                        let mark = "（印章）";
                        let mw = c.width_mm(mark, body);
                        c.items.push(Item::Text {
                            page: c.page,
                            x: sx + (seal - mw) / 2.0,
                            y: y0 + seal / 2.0 + 2.0,
                            size: body,
                            text: mark.into(),
                            color: (0.75, 0.1, 0.1),
                        });
                    }
                    // The signer: the deciding agency (or the hall, for a
                    // receipt or a template filled without one).
                    let hall = v
                        .text
                        .get("signer")
                        .filter(|s| !s.is_empty())
                        .or_else(|| v.text.get("hall_name"))
                        .cloned()
                        .unwrap_or_default();
                    let date = v.text.get("issued_on_zh").cloned().unwrap_or_default();
                    for (k, s) in [hall, date].into_iter().enumerate() {
                        let w = c.width_mm(&s, body);
                        let x = c.page_w - c.right - w;
                        c.items.push(Item::Text {
                            page: c.page,
                            x,
                            y: y0 + seal + 8.0 + k as f32 * 7.0,
                            size: body,
                            text: s,
                            color: (0.0, 0.0, 0.0),
                        });
                    }
                    c.y = y0 + seal + 20.0;
                } else {
                    c.y = y0 + qr_mm + 8.0;
                }
            }
        }
    }

    let pages = c.page + 1;
    let height = page_h.unwrap_or(c.y + 8.0);
    // Markings.
    for p in 0..pages {
        match marking {
            Marking::Original => {}
            Marking::Copy => {
                let x = c.page_w - c.right - 22.0;
                c.items.push(Item::Box {
                    page: p,
                    x,
                    y: 8.0,
                    w: 20.0,
                    h: 11.0,
                    fill: false,
                    color: (0.75, 0.1, 0.1),
                });
                c.items.push(Item::Text {
                    page: p,
                    x: x + 3.5,
                    y: 16.5,
                    size: 18.0,
                    text: "副本".into(),
                    color: (0.75, 0.1, 0.1),
                });
            }
            Marking::Preview => {
                let size = if receipt { 28.0 } else { 72.0 };
                let s = "预览 无效";
                let w = c.width_mm(s, size);
                c.items.push(Item::Text {
                    page: p,
                    x: (page_w - w) / 2.0,
                    y: height / 2.0,
                    size,
                    text: s.into(),
                    color: (0.82, 0.82, 0.82),
                });
            }
        }
        if pages > 1 {
            let s = format!("第 {} 页 共 {} 页", p + 1, pages);
            let w = c.width_mm(&s, 9.0);
            c.items.push(Item::Text {
                page: p,
                x: (page_w - w) / 2.0,
                y: height - 12.0,
                size: 9.0,
                text: s,
                color: (0.3, 0.3, 0.3),
            });
        }
    }

    let mut doc = PdfDocument::new(&t.title);
    let font_id = doc.add_font(&font.parsed);
    let seal_id = seal_image.map(|s| (doc.add_image(&s.raw), s.raw.width, s.raw.height));
    let mut out_pages = Vec::new();
    for p in 0..pages {
        let mut ops = Vec::new();
        // Preview watermark first, so the text lies over it.
        for it in c.items.iter().filter(|i| matches!(i, Item::Text { page, color, .. } if *page == p && color.0 > 0.8 && color.1 > 0.8)) {
            text_op(&mut ops, it, &font_id, height);
        }
        for it in &c.items {
            match it {
                Item::Text { page, color, .. }
                    if *page == p && !(color.0 > 0.8 && color.1 > 0.8) =>
                {
                    text_op(&mut ops, it, &font_id, height)
                }
                Item::Box {
                    page,
                    x,
                    y,
                    w,
                    h,
                    fill,
                    color,
                } if *page == p => {
                    let col = Color::Rgb(Rgb::new(color.0, color.1, color.2, None));
                    ops.push(if *fill {
                        Op::SetFillColor { col }
                    } else {
                        Op::SetOutlineColor { col }
                    });
                    if !fill {
                        ops.push(Op::SetOutlineThickness { pt: Pt(1.2) });
                    }
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: Mm(*x).into(),
                            y: Mm(height - y - h).into(),
                            width: Mm(*w).into(),
                            height: Mm(*h).into(),
                            mode: Some(if *fill {
                                PaintMode::Fill
                            } else {
                                PaintMode::Stroke
                            }),
                            winding_order: Some(WindingOrder::NonZero),
                        },
                    });
                }
                Item::Seal { page, x, y, w, h } if *page == p => {
                    if let Some((id, iw, ih)) = &seal_id {
                        // Fit, keep the aspect, centre in the box.
                        let (iw, ih) = (*iw as f32, *ih as f32);
                        let scale_mm = (w / iw).min(h / ih);
                        let (dw, dh) = (iw * scale_mm, ih * scale_mm);
                        let (dx, dy) = (x + (w - dw) / 2.0, y + (h - dh) / 2.0);
                        ops.push(Op::UseXobject {
                            id: id.clone(),
                            transform: printpdf::XObjectTransform {
                                translate_x: Some(Mm(dx).into()),
                                translate_y: Some(Mm(height - dy - dh).into()),
                                // 1 px = scale_mm mm  ⇔  dpi = 25.4 / scale_mm
                                dpi: Some(25.4 / scale_mm),
                                ..Default::default()
                            },
                        });
                    }
                }
                _ => {}
            }
        }
        out_pages.push(PdfPage::new(Mm(page_w), Mm(height), ops));
    }
    let opts = PdfSaveOptions {
        subset_fonts: true,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    Ok(doc.with_pages(out_pages).save(&opts, &mut warnings))
}

fn text_op(ops: &mut Vec<Op>, it: &Item, font: &printpdf::FontId, height: f32) {
    if let Item::Text {
        x,
        y,
        size,
        text,
        color,
        ..
    } = it
    {
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFillColor {
            col: if color == &(0.0, 0.0, 0.0) {
                Color::Greyscale(Greyscale::new(0.0, None))
            } else {
                Color::Rgb(Rgb::new(color.0, color.1, color.2, None))
            },
        });
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font.clone()),
            size: Pt(*size),
        });
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Mm(*x).into(),
                y: Mm(height - y).into(),
            },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.clone())],
        });
        ops.push(Op::EndTextSection);
    }
}

/// Draw a QR code of `data` as filled squares (runs merged per row).
fn qr(c: &mut Cursor, data: &str, x: f32, y: f32, size: f32) {
    let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else {
        return;
    };
    let n = code.width();
    let quiet = 2.0;
    let m = size / (n as f32 + 2.0 * quiet);
    let colors = code.to_colors();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                let run = (col - start) as f32;
                c.rect(
                    x + (quiet + start as f32) * m,
                    y + (quiet + row as f32) * m,
                    run * m,
                    m,
                    true,
                    (0.0, 0.0, 0.0),
                );
            } else {
                col += 1;
            }
        }
    }
}
