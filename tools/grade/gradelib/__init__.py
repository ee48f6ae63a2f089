"""The instructor's autograder of the workbook (./build.sh grade): see
tools/grade/README.md."""
