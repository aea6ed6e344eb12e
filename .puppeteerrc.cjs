// mermaid-cli drives Chromium through puppeteer. The browser comes from Debian
// (apt-get install chromium); puppeteer must never download one of its own.
module.exports = {
  skipDownload: true,
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
};
