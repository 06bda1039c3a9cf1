"""Cogs loaded by ClikcBot.setup_hook, one per job."""

from bot.discord.cogs.ask import AskCog
from bot.discord.cogs.digest import DigestCog
from bot.discord.cogs.feedback import FeedbackCog
from bot.discord.cogs.help import HelpCog
from bot.discord.cogs.indexing import IndexingCog
from bot.discord.cogs.library import LibraryCog
from bot.discord.cogs.moderation import ModerationCog
from bot.discord.cogs.privacy import PrivacyCog
from bot.discord.cogs.related import RelatedCog
from bot.discord.cogs.reminders import RemindersCog
from bot.discord.cogs.review_edit import ReviewEditCog
from bot.discord.cogs.sessions import AnnouncerCog, SessionsCog
from bot.discord.cogs.submissions import SubmissionsCog

COGS = (
    AskCog,
    PrivacyCog,
    IndexingCog,
    ModerationCog,
    SessionsCog,
    SubmissionsCog,
    AnnouncerCog,
    HelpCog,
    FeedbackCog,
    RemindersCog,
    ReviewEditCog,
    RelatedCog,
    DigestCog,
    LibraryCog,
)
