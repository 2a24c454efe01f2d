# Recognition Lab in a container: docker build -t recognition-lab . && docker run -p 8501:8501 recognition-lab
# Mount your data and workspace: -v $PWD/data:/data -e LAB_DATA_DIR=/data -v lab-home:/lab
# The lab has no login. On a shared server publish the port on loopback only
# (-p 127.0.0.1:8501:8501) and put a reverse proxy with a login (e.g. nginx auth_basic) in front:
# see "Shared server" in README.md. Bound to 0.0.0.0 inside the container, the Greek page does not
# offer reading folders of the server's disk unless LAB_ALLOW_SERVER_FOLDERS=1 is set.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    LAB_HOME=/lab

# Chromium: the report's charts are exported to PNG by Kaleido through a headless browser
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN python -m pip install --upgrade pip && python -m pip install -r requirements.txt

COPY . .
RUN mkdir -p /lab && useradd --create-home lab && chown -R lab /lab
USER lab

EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["python", "-m", "streamlit", "run", "app/main.py", "--server.address", "0.0.0.0", \
     "--server.port", "8501", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
