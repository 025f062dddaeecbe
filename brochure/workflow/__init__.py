"""Everyday work around the build: check, proof, import, placeholders, watch, version.

One module per command, each callable from Python and from ``brochure.cli``:

- ``lint``     Chinese punctuation rules on the words of a loaded ``Content``;
- ``check``    validate content.yaml without writing PDFs (schema, images, glyphs, lint) and ``--fix``;
- ``proof``    build, then PNG previews of every page and a contact sheet;
- ``typesetting_proof`` (samples in ``typesetting_samples``) each typesetting rule, before and after;
- ``importer`` plain newspaper text -> a draft content.yaml;
- ``placeholders`` labelled placeholder photos for the photos a content file names and images/ lacks;
- ``version``  ``--version``: the program, its libraries and the fonts in use;
- ``watch``    rebuild when content.yaml, images/ or fonts/ change.
"""
