//! Sheets written as `.xlsx` for people: Chinese headers in bold, the header row frozen and
//! repeated on every printed page, columns as wide as their contents, dates as Excel dates,
//! A4 landscape, and the classification marking (the highest level in the sheet) in the
//! printed header and footer.
//!
//! Contract: [`workbook`] builds the file in memory from plain tables and never touches the
//! disk; the caller writes it (atomically, like every file the product writes).

use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

use crate::error::{Error, Result};
use crate::registers::columns::Cell;

/// One worksheet: its name, a title line above the header (none for a register sheet, so it
/// reads back as it was written), the header and the rows.
pub struct Table<'a> {
    pub name: &'a str,
    pub title: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn failed(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::internal(format!("生成 Excel 文件失败：{e}"))
}

/// How wide a text shows: a CJK character takes two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The `.xlsx` bytes of `tables`, marked `marking` (e.g. `机密`) in each page's header and
/// footer when given.
pub fn workbook(tables: &[Table<'_>], marking: Option<&str>) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#EDEFF3");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let title_format = Format::new().set_bold().set_font_size(14);
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(t.name).map_err(failed)?;
        fill(sheet, t, &bold, &date, &title_format, marking)?;
    }
    book.save_to_buffer().map_err(failed)
}

fn fill(
    sheet: &mut Worksheet,
    t: &Table<'_>,
    bold: &Format,
    date: &Format,
    title_format: &Format,
    marking: Option<&str>,
) -> Result<()> {
    let mut top: u32 = 0;
    if let Some(title) = &t.title {
        sheet
            .write_string_with_format(0, 0, title, title_format)
            .map_err(failed)?;
        top = 2;
    }
    let mut widths: Vec<usize> = t.header.iter().map(|h| width(h)).collect();
    for (c, h) in t.header.iter().enumerate() {
        sheet
            .write_string_with_format(top, c as u16, h, bold)
            .map_err(failed)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = top + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let shown = match cell {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    sheet.write_string(r, col, s).map_err(failed)?;
                    s.lines().map(width).max().unwrap_or(0)
                }
                Cell::Number(n) => {
                    sheet.write_number(r, col, *n as f64).map_err(failed)?;
                    n.to_string().len()
                }
                Cell::Flag(b) => {
                    sheet
                        .write_string(r, col, if *b { "是" } else { "否" })
                        .map_err(failed)?;
                    2
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(failed)?;
                    sheet
                        .write_datetime_with_format(r, col, &x, date)
                        .map_err(failed)?;
                    10
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet
            .set_column_width(c as u16, (*w).clamp(4, 60) as f64 + 2.0)
            .map_err(failed)?;
    }
    sheet.set_freeze_panes(top + 1, 0).map_err(failed)?;
    sheet.set_repeat_rows(top, top).map_err(failed)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    let mark = marking
        .map(|m| format!("&C&\"-,Bold\"&14{m}"))
        .unwrap_or_default();
    sheet.set_header(&mark);
    sheet.set_footer(format!("{mark}&R第 &P 页，共 &N 页"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_double() {
        assert_eq!(width("机密-2026-0001"), 14);
        assert_eq!(width("ab"), 2);
    }
}
