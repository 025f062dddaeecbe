"""Layout: page geometry, the baseline grid, and the brochure and poster compositions.

Layout decides where every block goes, in trim coordinates (points, origin at
the trim's lower-left, y up).  It measures blocks through the ReportLab
Flowable protocol (wrap / split) and hands the renderer a list of pages of
placed blocks; it draws nothing itself.
"""
