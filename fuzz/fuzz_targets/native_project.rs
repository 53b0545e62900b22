//! Fuzzes the native project reader, idea records and survey files included: the first byte picks which file of a
//! small valid project is replaced, the rest is that file's content. Whatever the bytes, `read_project` must return a project or diagnostics, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

const FILES: &[(&str, &str)] = &[
    ("project.toml", "name = \"f\"\n"),
    ("municipalities.csv", "kommunkod,name\n0583,Motala\n"),
    ("units.csv", "unit_id,kommunkod,name\nU,0583,Enhet\n"),
    ("participants.csv", "participant_id,kommunkod,unit_id,role\nP1,0583,U,mellanchef\n"),
    ("waves.csv", "wave_id,name,start,end\nv1,Våg,2018-01-01,2018-12-31\n"),
    ("codebook.csv", "code_id,parent_id,label_sv\nk,,Kultur\nk.r,k,Risk\n"),
    ("sources.csv", "source_id,kind,kommunkod,unit_id,date,wave_id,participants\nS1,interview,0583,U,2018-03-01,v1,P1\n"),
    ("codings.csv", "source_id,code_id,coder,start,end,quote\nS1,k.r,AL,0,6,Tranås\n"),
    ("texts/S1.txt", "Tranås är en kommun."),
    ("ideas.csv", "idea_id,kommunkod,unit_id,submitted,codes\nI1,0583,U,2018-02-01,k\n"),
    ("idea_events.csv", "idea_id,stage,date\nI1,assessed,2018-02-10\nI1,implemented,2018-03-01\n"),
    ("headcounts.csv", "kommunkod,unit_id,employees\n0583,,3600\n"),
    (
        "surveys/chef.toml",
        "name_sv = \"Enkät\"\nscale = [1, 5]\nmissing = [\"vet ej\"]\n[[dimensions]]\nid = \"d\"\nlabel_sv = \"D\"\n[[items]]\nid = \"q1\"\ntext_sv = \"Fråga\"\ndimension = \"d\"\nreverse = true\n",
    ),
    ("surveys/chef.csv", "respondent,kommunkod,role,wave,q1\nR1,0583,mellanchef,v1,4\nR2,0583,,v1,vet ej\n"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, content)) = data.split_first() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    for folder in ["texts", "surveys"] {
        if std::fs::create_dir_all(dir.path().join(folder)).is_err() {
            return;
        }
    }
    let replaced = usize::from(which) % FILES.len();
    for (i, (name, default)) in FILES.iter().enumerate() {
        let bytes = if i == replaced { content } else { default.as_bytes() };
        if std::fs::write(dir.path().join(name), bytes).is_err() {
            return;
        }
    }
    let _ = crosscase_ingest::read_project(dir.path());
});
