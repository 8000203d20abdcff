"""Brief understanding: turning a shopper's words into a DesignBrief."""
