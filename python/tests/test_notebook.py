"""The worked notebook examples/outliers.ipynb runs headless without a failing cell (its cells assert
the story they tell: channel found, sink present, sink gone after the patch)."""
import pathlib

import nbclient
import nbformat

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_outliers_notebook_runs_every_cell():
    notebook = nbformat.read(EXAMPLES / "outliers.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the figures were drawn
