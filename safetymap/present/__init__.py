"""Turn analysis results into the words and tables people read (pure, no Streamlit).

Pages, the PDF briefings and the board pack all word their figures through here, so a
figure reads the same wherever it is shown.
"""
