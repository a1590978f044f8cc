CREATE TABLE r (id INTEGER PRIMARY KEY, url TEXT, option TEXT, debut_examen TEXT, fin_examen TEXT,
                modalite TEXT, cp_centre TEXT, delivre TEXT, fin_validite TEXT, scoring TEXT,
                mention TEXT, acces TEXT, initiative TEXT, inscrit TEXT, nom TEXT, usage TEXT,
                prenom TEXT, prenom2 TEXT, prenom3 TEXT, annee INTEGER, mois INTEGER, jour INTEGER,
                sexe TEXT, insee TEXT, cp TEXT, commune TEXT, pays TEXT, verbatim TEXT);
-- every field with a value
INSERT INTO r VALUES (1, 'https://preuves.example.invalid/p/1', 'Option réseaux', '2026-09-01',
                      '2026-09-02', 'EN_PRESENTIEL', '69007', '2026-10-01', '2031-10-01', '15.5',
                      'MENTION_BIEN', 'CANDIDAT_LIBRE', 'CERTIFIE', '2025-09-01', 'Fictif', 'Usage',
                      'Anaïs', 'Béatrice', 'Clara', 1992, 3, 7, 'F', '69123', NULL, 'Lyon', 'France',
                      'Session test');
-- only the mandatory fields with a value
INSERT INTO r (id, delivre, nom, prenom, annee, sexe)
       VALUES (2, '2026-10-01', 'Exemple', 'Basile', 1988, 'M');
