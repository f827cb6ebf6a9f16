<?xml version="1.0" encoding="UTF-8"?>
{#- Rendered once per build by plugins/feeds. Turns an Atom or RSS feed opened in a
    browser into a readable page that says what a feed is and how to subscribe. #}
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>
  <xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
  <xsl:template match="/">
    <html lang="{{ DEFAULT_LANG }}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="{{ SITEURL }}/{{ THEME_STATIC_DIR }}/css/site.css"/>
      </head>
      <body>
        <main id="main" class="wrap page">
          <p class="notice"><strong>This is a feed.</strong> Copy this page's address
            from your browser's address bar and paste it into a feed reader app to get
            new posts as soon as they are published.
            <a href="{{ SITEURL }}/{{ subscribe_url }}">How to subscribe</a>.</p>
          <h1><xsl:value-of select="$title"/></h1>
          <p><xsl:value-of select="/atom:feed/atom:subtitle | /rss/channel/description"/></p>
          <p><a href="{{ SITEURL }}/">Visit the {{ SITENAME }} website</a></p>
          <h2>Latest posts</h2>
          <ul class="feed-list">
            <xsl:for-each select="/atom:feed/atom:entry | /rss/channel/item">
              <li>
                <a>
                  <xsl:attribute name="href">
                    <xsl:value-of select="atom:link[not(@rel) or @rel='alternate']/@href | link"/>
                  </xsl:attribute>
                  <xsl:value-of select="atom:title | title"/>
                </a>
                <br/>
                <small><xsl:value-of select="substring(atom:published, 1, 10)"/><xsl:value-of select="pubDate"/></small>
              </li>
            </xsl:for-each>
          </ul>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
