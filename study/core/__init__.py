"""Pure core of the study domain: no Django. Allocation engine, manifest parser, vocabulary,
DICOM imaging. The Django shells around it call these; they never call back."""
