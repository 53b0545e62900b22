//! Fuzzes the REFI-QDA reader and the placing of what it read: the first byte picks how the rest is used — as a
//! bare `.qde` (with a `sources/` folder holding one text), as a whole `.qdpx` archive, or as the text that a small
//! valid project's selections point into. Whatever the bytes, import must end in a project or diagnostics, never a
//! panic.

#![no_main]

use crosscase_ingest::qda::{Mapping, QdaInput, build_project, read_refi};
use crosscase_model::KommunRegister;
use libfuzzer_sys::fuzz_target;

const QDE: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="F" origin="NVivo for Windows 12.6">
  <Users><User guid="u" name="Karin"/></Users>
  <CodeBook><Codes><Code guid="k" name="Tillit" isCodable="true"><Code guid="k2" name="Tid" isCodable="true"/></Code></Codes></CodeBook>
  <Variables><Variable guid="v" name="Kommun" typeOfVariable="Text"/></Variables>
  <Sources>
    <TextSource guid="s" name="Intervju" plainTextPath="internal://s.txt">
      <PlainTextSelection guid="p1" startPosition="3" endPosition="11"><Coding guid="c1" creatingUser="u"><CodeRef targetGUID="k"/></Coding></PlainTextSelection>
      <PlainTextSelection guid="p2" startPosition="12" endPosition="20"><Coding guid="c2"><CodeRef targetGUID="k2"/></Coding></PlainTextSelection>
      <Coding guid="c3"><CodeRef targetGUID="k"/></Coding>
      <VariableValue><VariableRef targetGUID="v"/><TextValue>Motala</TextValue></VariableValue>
    </TextSource>
  </Sources>
  <Sets><Set guid="x" name="Kommun: Linköping"><MemberSource targetGUID="s"/></Set></Sets>
</Project>"##;
const TEXT: &str = "Hej 😀 tillit\r\när viktigt 🎉 för alla.";

fn import(input: QdaInput) {
    if let Ok(project) = read_refi(&input) {
        let _ = build_project(&[project], &Mapping::default(), &KommunRegister::sweden());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, content)) = data.split_first() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let d = dir.path();
    if std::fs::create_dir_all(d.join("sources")).is_err() {
        return;
    }
    match mode % 3 {
        0 => {
            if std::fs::write(d.join("p.qde"), content).is_err()
                || std::fs::write(d.join("sources/s.txt"), TEXT).is_err()
            {
                return;
            }
            import(QdaInput::Qde(d.join("p.qde")));
        }
        1 => {
            if std::fs::write(d.join("p.qdpx"), content).is_err() {
                return;
            }
            import(QdaInput::Qdpx(d.join("p.qdpx")));
        }
        _ => {
            if std::fs::write(d.join("p.qde"), QDE).is_err() || std::fs::write(d.join("sources/s.txt"), content).is_err() {
                return;
            }
            import(QdaInput::Qde(d.join("p.qde")));
        }
    }
});
