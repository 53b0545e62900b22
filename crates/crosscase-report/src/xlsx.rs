//! Spreadsheets: tables as sheets of one workbook, every text written as text so that nothing runs as a formula.

use crosscase_model::{DataTable, Values};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// A workbook with one sheet per table (named after it), a bold header row and frozen panes; returned as bytes.
/// The same tables always give the same bytes.
pub fn workbook(tables: &[DataTable]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation time (the zip epoch, as reproducible builds use) instead of the clock, so that the same
    // tables give a byte-identical file.
    let epoch = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = book.add_worksheet();
        // Sheet names are at most 31 characters.
        sheet.set_name(table.name.chars().take(31).collect::<String>())?;
        for (c, column) in table.columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, column.name, &bold)?;
            for row in 0..column.values.len() {
                let r = row as u32 + 1;
                match &column.values {
                    // write_string stores text as text: a value beginning with `=` is shown, never evaluated.
                    Values::Text(v) => {
                        if let Some(s) = &v[row] {
                            sheet.write_string(r, c, s)?;
                        }
                    }
                    Values::Integer(v) => {
                        if let Some(n) = v[row] {
                            sheet.write_number(r, c, n as f64)?;
                        }
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}
